"""kill -9 of a kiosk process in the middle of delivery loses and duplicates nothing.

The kiosk is a separate process (``kiosk_delivery_child.py``) that queues 10 offline tickets, 30 ratings
and a dossier with a scanned PDF, and delivers them to the real central service on loopback. It is
killed four times at different points; a last run finishes. The central service's database must then
hold every item exactly once.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from live_central import pdf_bytes

from central import models
from kiosk.outbox import Outbox, SecretBox

CHILD = Path(__file__).with_name("kiosk_delivery_child.py")
ROOT = Path(__file__).resolve().parents[2]


def _run(data_dir, central, mode, limit=0, kill_after_lines=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, str(CHILD), str(data_dir), central.url, central.kiosk_token, mode, str(limit)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines = []
    try:
        for line in process.stdout:
            lines.append(line.strip())
            delivered = sum(1 for seen in lines if seen.startswith("delivered"))
            if kill_after_lines is not None and delivered >= kill_after_lines:
                os.kill(process.pid, signal.SIGKILL)
                break
        process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        stderr = process.stderr.read()
        process.stdout.close()
        process.stderr.close()
    return process.returncode, lines, stderr


@pytest.mark.slow
def test_kill_9_during_delivery_loses_and_duplicates_nothing(live_central, tmp_path):
    data_dir = tmp_path / "kiosk"
    data_dir.mkdir()
    scan = pdf_bytes("land use certificate", padding=400_000)
    (data_dir / "scan.pdf").write_bytes(scan)

    # 1. Dies right after the service answered the 5th ticket, before the outbox recorded it.
    code, lines, err = _run(data_dir, live_central, "crash-after-answer", 5)
    assert code == -signal.SIGKILL, err
    assert sum(1 for line in lines if line.startswith("delivered")) == 4
    assert live_central.count(models.Ticket) == 5

    # 2. Killed from outside after two more deliveries (the interrupted 5th is recovered and repeated).
    code, lines, err = _run(data_dir, live_central, "deliver", kill_after_lines=2)
    assert code == -signal.SIGKILL, err
    assert "recovered 1" in lines

    # 3. Dies in the middle of the dossier's upload, after the service accepted 3 chunks.
    code, lines, err = _run(data_dir, live_central, "crash-mid-upload", 3)
    assert code == -signal.SIGKILL, err
    chunk = 64 * 1024
    saved = _upload_progress(data_dir)
    [upload] = live_central.rows(models.Upload)
    assert saved["upload_id"] == upload.id
    assert (saved["received"], upload.received) == (2 * chunk, 3 * chunk), "died before saving the 3rd"

    # 4. Dies again mid-upload: the upload goes on from what the service holds, not from zero.
    code, lines, err = _run(data_dir, live_central, "crash-mid-upload", 2)
    assert code == -signal.SIGKILL, err
    chunks = [int(line.split()[1]) for line in lines if line.startswith("chunk")]
    assert chunks == [4 * chunk, 5 * chunk]

    # 5. A last run delivers the rest.
    code, lines, err = _run(data_dir, live_central, "deliver")
    assert code == 0, err
    assert lines[-1] == "idle waiting=0 failed=0"

    numbers = [t.number for t in live_central.rows(models.Ticket)]
    assert sorted(numbers) == [f"K7-A{n:03d}" for n in range(1, 11)]
    assert live_central.count(models.Rating) == 30
    assert live_central.count(models.Dossier) == 1
    [document] = live_central.rows(models.Document)
    assert document.size == len(scan) and document.dossier_id is not None
    assert live_central.count(models.Upload) == 1, "the upload was resumed, never started again"

    outbox = Outbox(data_dir / "outbox.sqlite3", SecretBox.from_file(data_dir / "outbox.key"))
    try:
        assert outbox.jobs() == []
        assert outbox.counts().delivered == {"ticket": 10, "dossier": 1, "rating": 30}
        assert not any(outbox.files_dir.iterdir()), "the scan is deleted once delivered"
    finally:
        outbox.close()


def _upload_progress(data_dir: Path) -> dict:
    outbox = Outbox(data_dir / "outbox.sqlite3", SecretBox.from_file(data_dir / "outbox.key"))
    try:
        [dossier] = [job for job in outbox.jobs() if job.kind == "dossier"]
        return dossier.progress["documents"][0]
    finally:
        outbox.close()
