"""Test-wide setup: no display, no user files touched, fast Tesseract.

The environment is set before anything imports Kivy or python-escpos.
"""

import os
import tempfile

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ["KIVY_NO_ARGS"] = "1"
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kivy-home-")
os.environ["OMP_THREAD_LIMIT"] = "1"
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", tempfile.mkdtemp(prefix="escpos-"))
os.environ.pop("KIOSK_CONFIG", None)

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from kiosk import config as kiosk_config  # noqa: E402


@pytest.fixture
def sim_config(tmp_path: Path):
    """A configuration that runs everything on simulators inside ``tmp_path``."""

    def make(**sections):
        data = {"kiosk": {"data_dir": str(tmp_path / "data")}}
        for section, values in sections.items():
            data.setdefault(section, {}).update(values)
        return kiosk_config.from_dict(data, "<test>")

    return make
