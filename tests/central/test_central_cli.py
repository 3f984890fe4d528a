"""``kiosk central ...`` as an operator runs it: separate processes, real databases, a real restart."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid

import pytest

from alembic.script import ScriptDirectory

from central.db import alembic_config
from central.testing_pg import free_port
from central_support import http_client
from kiosk.cli import main

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.fixture
def kiosk(capsys):
    """Run ``kiosk central ARGS`` through the real command-line entry point, in this process."""

    def run(*args: str) -> subprocess.CompletedProcess:
        capsys.readouterr()
        status = main(["central", *args])
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, status, out.out, out.err)

    return run


def test_admin_commands_on_sqlite(kiosk, tmp_path):
    data = ["--data-dir", str(tmp_path)]
    migrated = kiosk("migrate", *data)
    assert migrated.returncode == 0 and f"revision {HEAD}" in migrated.stdout
    seeded = kiosk("seed", *data)
    assert seeded.returncode == 0 and "25 procedures added" in seeded.stdout
    token = kiosk("add-kiosk", "kiosk-01", *data)
    assert token.returncode == 0 and token.stdout.strip().startswith("mck_")
    assert token.stdout.strip() not in token.stderr
    twice = kiosk("add-kiosk", "kiosk-01", *data)
    assert twice.returncode == 2 and twice.stderr.count("\n") == 1 and "--rotate" in twice.stderr
    rotated = kiosk("add-kiosk", "kiosk-01", "--rotate", *data)
    assert rotated.returncode == 0 and rotated.stdout.strip() != token.stdout.strip()
    staff = kiosk("add-staff", "can-bo-01", *data)
    assert staff.returncode == 0 and staff.stdout.strip().startswith("mcs_")
    nowhere = kiosk("add-kiosk", "kiosk-02", "--center", "XX99", *data)
    assert nowhere.returncode == 2 and "seed --center XX99" in nowhere.stderr
    assert (tmp_path / "central.db").exists()


def test_bad_database_urls_are_one_line(kiosk):
    wrong = kiosk("migrate", "--db", "mysql://x@localhost/y")
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1 and "unsupported database" in wrong.stderr
    down = kiosk("migrate", "--db", "postgresql+psycopg://nobody:secret@127.0.0.1:9/none")
    assert down.returncode == 2 and down.stderr.count("\n") == 1 and "secret" not in down.stderr
    assert "Traceback" not in down.stderr


def serve(args: list[str], port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "kiosk", "central", "serve", "--port", str(port), *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    with http_client() as client:
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read()
            try:
                if client.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    return process
            except Exception:
                time.sleep(0.1)
    process.kill()
    raise AssertionError("the service did not come up")


@pytest.mark.parametrize("backend, workers", [
    ("sqlite", "1"), pytest.param("postgresql", "2", marks=pytest.mark.postgres)])
def test_serve_restart_keeps_numbering(kiosk, backend, workers, make_db_url, tmp_path):
    db = ["--data-dir", str(tmp_path)]
    if backend == "postgresql":
        db += ["--db", make_db_url("postgresql", "central_cli")]
    assert kiosk("seed", *db).returncode == 0
    token = kiosk("add-kiosk", "kiosk-01", *db).stdout.strip()
    numbers = []
    for run in range(2):
        port = free_port()
        process = serve([*db, "--workers", workers if run else "1"], port)
        try:
            with http_client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}) as c:
                for _ in range(3):
                    response = c.post("/api/v1/tickets", json={"service": "B"},
                                      headers={"Idempotency-Key": str(uuid.uuid4())})
                    assert response.status_code == 201, response.text
                    numbers.append(response.json()["number"])
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(30)
    assert numbers == [f"B{n:03d}" for n in range(1, 7)]
