"""The run locks that tell a kiosk run still alive from one that ended (``kiosk.outbox.runs``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from kiosk.outbox.runs import RunLock

ROOT = Path(__file__).resolve().parents[2]
HOLD = """
import sys, time
from kiosk.outbox.runs import RunLock
lock = RunLock(sys.argv[1])
print(lock.run, flush=True)
time.sleep(60)
"""


def test_a_run_in_another_process_is_alive_until_it_is_killed(tmp_path):
    folder = tmp_path / "runs"
    mine = RunLock(folder)
    other = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        run = other.stdout.readline().strip()
        assert run and mine.alive(run) and mine.alive(mine.run)
        mine.forget_ended(set())
        assert (folder / run).exists(), "a live run's lock file is kept"
    finally:
        other.send_signal(signal.SIGKILL)
        other.wait(10)
        other.stdout.close()
    assert not mine.alive(run)
    mine.forget_ended({run})
    assert (folder / run).exists(), "kept while it still left work"
    mine.forget_ended(set())
    assert not (folder / run).exists() and (folder / mine.run).exists()
    assert not mine.alive("never-was")


def test_a_released_run_has_ended_for_the_others(tmp_path):
    first, second = RunLock(tmp_path), RunLock(tmp_path)
    assert second.alive(first.run)
    first.release()
    assert not second.alive(first.run) and not first.alive(first.run)
