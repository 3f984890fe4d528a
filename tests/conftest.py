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


@pytest.fixture(scope="session")
def demo_visit(tmp_path_factory):
    """One full ``kiosk -v demo --headless`` run for the whole session (it takes minutes).

    Its temporary folder is kept (``tests/demo_keeping_logs.py``) so tests can read every log file the
    visit left. Returns the finished process (``returncode``, ``stdout``, ``stderr``), the demo's output
    folder ``out``, the kept folder ``keep`` and their parent ``root``.
    """
    import subprocess
    import sys
    from types import SimpleNamespace

    here = Path(__file__).resolve().parent
    root = tmp_path_factory.mktemp("demo-visit")
    keep, out = root / "kept", root / "demo-output"
    keep.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "KIOSK_CONFIG")}
    env.update(XDG_DATA_HOME=str(root / "xdg"), PYTHONPATH=str(here.parent))
    done = subprocess.run([sys.executable, str(here / "demo_keeping_logs.py"), str(keep), str(out)],
                          cwd=here.parent, env=env, capture_output=True, text=True, timeout=540)
    return SimpleNamespace(returncode=done.returncode, stdout=done.stdout, stderr=done.stderr,
                           out=out, keep=keep, root=root)
