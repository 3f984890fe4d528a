"""The central service on loopback for the counter page and lobby display tests: one per test module
(SQLite in a temporary directory), and a fresh center per test."""

from __future__ import annotations

import pytest

from counters_support import new_site, start_service


@pytest.fixture(scope="module")
def lobby_service(tmp_path_factory):
    running = start_service(tmp_path_factory.mktemp("central"))
    yield running
    running.stop()
    running.db.dispose()


@pytest.fixture
def site(lobby_service):
    made = new_site(lobby_service)
    yield made
    lobby_service.clock.set(None)
    made.close()
