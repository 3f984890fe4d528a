"""The ticket screens, in a real offscreen window of their own (see ``ticket_screens_flow.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_the_ticket_screens_work_with_real_touches(tmp_path):
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_NO_ARGS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(HERE / "ticket_screens_flow.py"), "-q", "-p", "no:cacheprovider",
         "--basetemp", str(tmp_path / "flow")],
        cwd=HERE.parents[1], env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
