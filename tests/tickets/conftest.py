"""Fixtures for the ticket tests: the real central service on loopback and kiosks built against it."""

from __future__ import annotations

from pathlib import Path

import pytest
from ticket_rig import CenterService, kiosk_settings

from kiosk import wiring


@pytest.fixture(scope="module")
def shared_center(tmp_path_factory):
    """One central service for the tests of a module that do not stop it."""
    center = CenterService(tmp_path_factory.mktemp("central"))
    yield center
    center.close()


@pytest.fixture
def center(tmp_path: Path):
    """A central service of this test's own, which it may stop and start."""
    service = CenterService(tmp_path / "central")
    yield service
    service.close()


@pytest.fixture
def make_kiosk(tmp_path: Path):
    """``make_kiosk(center, name="k1", **config)``: a kiosk built by ``wiring.build`` on simulators."""
    built = []

    def make(center: CenterService, name: str = "k1", **options):
        kiosk = wiring.build(kiosk_settings(tmp_path / name, center, **options))
        built.append(kiosk)
        return kiosk

    yield make
    for kiosk in built:
        kiosk.close()
