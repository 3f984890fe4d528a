"""A kiosk that died while python-escpos wrote its capabilities cache must still print after a restart.

python-escpos keeps its printer database as a pickle (``ESCPOS_CAPABILITIES_PICKLE_DIR``, which
``devices.printer.encode.load_escpos`` points at ``~/.cache/motcua-kiosk/escpos``) and writes it in
place. The fault-injection rounds found that a kiosk killed or out of disk space in the middle of that
write leaves an empty file behind, and from then on every slip fails with ``EOFError: Ran out of input``.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
PROFILE = "from devices.printer.encode import escpos_profile; escpos_profile(576); print('ok')"


def build_profile(cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ESCPOS_CAPABILITIES_PICKLE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-c", PROFILE], env=env, capture_output=True, text=True, timeout=120)


def test_a_sound_cache_is_written_and_used(tmp_path):
    first = build_profile(tmp_path)
    assert first.returncode == 0, first.stderr
    [cache] = tmp_path.glob("*.pickle")
    assert cache.stat().st_size > 1000
    again = build_profile(tmp_path)
    assert again.returncode == 0 and again.stdout.strip() == "ok", again.stderr


def test_a_damaged_cache_does_not_stop_printing(tmp_path):
    (tmp_path / f"{platform.python_version()}.capabilities.pickle").write_bytes(b"")
    done = build_profile(tmp_path)
    assert done.returncode == 0, done.stderr[-500:]
    [cache] = tmp_path.glob("*.pickle")
    assert cache.stat().st_size > 1000, "the cache was written again"
