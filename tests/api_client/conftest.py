"""Fixtures for the API-client tests: the real central service and kiosks built to talk to it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from live_central import LiveCentral

from kiosk import config as kiosk_config
from kiosk import wiring


@pytest.fixture(scope="session")
def kiosk_side_pg():
    """A throwaway PostgreSQL server for the central service these tests talk to."""
    from central.testing_pg import PostgresUnavailable, ThrowawayPostgres

    try:
        server = ThrowawayPostgres().start()
    except PostgresUnavailable as err:
        pytest.skip(f"PostgreSQL tests need the server binaries: {err}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def live_central(request, tmp_path: Path):
    """The central service on loopback, once on SQLite and once on PostgreSQL."""
    db_url = ""
    if request.param == "postgresql":
        db_url = request.getfixturevalue("kiosk_side_pg").create_database(f"kiosk_{uuid.uuid4().hex[:12]}")
    central = LiveCentral(tmp_path / "central", db_url)
    yield central
    central.close()


@pytest.fixture
def sqlite_central(tmp_path: Path):
    central = LiveCentral(tmp_path / "central")
    yield central
    central.close()


@pytest.fixture(scope="module")
def shared_central(tmp_path_factory):
    """One service for the tests that only read or write independent things."""
    central = LiveCentral(tmp_path_factory.mktemp("central"))
    yield central
    central.close()


NO_DEVICES = {kind: "none://" for kind in ("camera", "qr_reader", "printer", "speaker", "locker")}


@pytest.fixture
def make_kiosk(tmp_path: Path):
    """``make_kiosk(central, name="kiosk-1", prefix="K1", token=None)``: a kiosk built by ``wiring.build``."""
    built = []

    def make(central: LiveCentral, name: str = "kiosk-1", prefix: str = "K1", token: str | None = None,
             read_timeout_s: float = 5.0):
        config = kiosk_config.from_dict(
            {
                "kiosk": {"id": name, "data_dir": str(tmp_path / name), "offline_prefix": prefix},
                "central": {"url": central.url, "token": token or central.kiosk_token,
                            "connect_timeout_s": 1.0, "read_timeout_s": read_timeout_s},
                "devices": NO_DEVICES,
            },
            "<test>",
        )
        kiosk = wiring.build(config)
        kiosk.worker.probe_interval_s = 0.1
        kiosk.tickets.recheck_s = 0.0
        built.append(kiosk)
        return kiosk

    yield make
    for kiosk in built:
        kiosk.close()
