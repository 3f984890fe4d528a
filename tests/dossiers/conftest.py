"""Fixtures of the dossier tests: the real central service on loopback and kiosks built against it."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from dossier_rig import Center, kiosk_config

from kiosk import wiring

_names = itertools.count(1)


@pytest.fixture(scope="module")
def center(tmp_path_factory):
    """One central service for the tests of a module that do not stop it."""
    service = Center(tmp_path_factory.mktemp("central"))
    yield service
    service.close()


@pytest.fixture
def own_center(tmp_path: Path):
    """A central service of this test's own, which it may stop and start."""
    service = Center(tmp_path / "central")
    yield service
    service.close()


@pytest.fixture
def make_kiosk(tmp_path: Path):
    """``make_kiosk(center, **options)``: a kiosk with its own account at ``center``, built by ``wiring.build``."""
    built = []

    def make(center: Center, *, wait_s: float = 5.0, **options):
        number = next(_names)
        name = f"kiosk-{number}"
        options.setdefault("prefix", f"K{number}")
        kiosk = wiring.build(kiosk_config(tmp_path / name, center, name, center.add_kiosk(name), **options))
        kiosk.dossiers.wait_s = wait_s
        built.append(kiosk)
        return kiosk

    yield make
    for kiosk in built:
        kiosk.close()
