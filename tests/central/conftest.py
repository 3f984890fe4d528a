"""The central service running for real on loopback, once on SQLite and once on PostgreSQL.

Each backend gets one migrated, seeded database and one running server (uvicorn in a thread) for the
whole session; each test gets its own center (fresh services, counters, kiosk and staff tokens), so
tests never see each other's tickets. The server's clock is a ``Clock`` a test may set; it goes back
to real time after every test.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from central.testing_pg import PostgresUnavailable, ThrowawayPostgres
from central_support import new_site, start_service

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def pg_server():
    try:
        server = ThrowawayPostgres().start()
    except PostgresUnavailable as err:
        pytest.skip(f"PostgreSQL tests need the server binaries: {err}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def make_db_url(request, tmp_path_factory):
    """``make_db_url(backend, name)``: a fresh, empty database of that backend."""

    def make(backend: str, name: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp(name) / 'central.db'}"
        return request.getfixturevalue("pg_server").create_database(name)

    return make


@pytest.fixture(scope="session", params=BACKENDS)
def service(request, make_db_url):
    backend = request.param
    running = start_service(backend, make_db_url(backend, "central_shared"),
                            Path(tempfile.mkdtemp(prefix=f"central-{backend}-")))
    yield running
    running.stop()
    running.db.dispose()


@pytest.fixture
def site(service):
    made = new_site(service)
    yield made
    service.clock.set(None)
    made.kiosk.close()
    made.staff.close()
