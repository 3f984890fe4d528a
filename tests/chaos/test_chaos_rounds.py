"""Fault injection: nothing a kiosk accepted is lost or doubled, and no ticket number is left orphaned.

Each round starts a kiosk process (real outbox, delivery worker and HTTP client, simulated printer)
that takes numbers, queues ratings and dossiers with a scanned PDF, while the harness kills it with
SIGKILL at a random moment, stops and restarts the central service, cuts or mutes the network through
a TCP proxy, limits the size of the files the kiosk may write (a full disk) and starts the printer
with faults. After every round a healthy kiosk run delivers what is left, and the central service must
hold every ticket, rating and dossier the kiosk recorded exactly once, with every number either handed
out or voided.

    CHAOS_ROUNDS=200 .venv/bin/python -m pytest tests/chaos -q     # a long run
    CHAOS_SEED=random ...                                          # a new seed each run (printed)
"""

from __future__ import annotations

import io
import os
import random
import time

import pikepdf
import pytest
import requests
from chaos_rig import Central, ChaosRig, plan_round

ROUNDS = int(os.environ.get("CHAOS_ROUNDS", "10"))
SEED_SETTING = os.environ.get("CHAOS_SEED", "1")


def _seed() -> int:
    return int(time.time()) if SEED_SETTING == "random" else int(SEED_SETTING)


def scan_pdf(size: int) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.Root["/KioskFiller"] = pdf.make_stream(random.Random(7).randbytes(size))
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


@pytest.fixture
def rig(tmp_path):
    central = Central(tmp_path / "central")
    headers = {"Authorization": f"Bearer {central.kiosk_token}"}
    code = requests.get(f"{central.url}/api/v1/procedures", headers=headers, timeout=10).json()[0]["code"]
    procedure = requests.get(f"{central.url}/api/v1/procedures/{code}", headers=headers, timeout=10).json()
    rig = ChaosRig(tmp_path, central, procedure, scan_pdf(300_000))
    yield rig
    rig.close()
    central.close()


@pytest.mark.slow
@pytest.mark.timeout(max(300, ROUNDS * 30))
def test_chaos_rounds_lose_and_double_nothing(rig, capsys):
    seed = _seed()
    rng = random.Random(seed)
    log = []
    for number in range(1, ROUNDS + 1):
        plan = plan_round(rng, number)
        run = rig.run_round(plan)
        assert not any("garbled" in line for line in run.lines), run.stderr[-2000:]
        assert "Traceback" not in run.stderr or run.returncode == -9, f"{plan.describe()}\n{run.stderr[-3000:]}"
        if run.returncode == 3:
            assert plan.disk_room is not None, f"{plan.describe()}: the kiosk did not start\n{run.lines}"
        drained = rig.drain()
        assert drained.returncode == 0, f"{plan.describe()}: the healthy kiosk failed\n{drained.stderr[-3000:]}"
        [idle] = [line for line in drained.lines if line.get("idle")]
        problems = rig.check()
        if idle["waiting"] or idle["failed"] or idle["unsettled"]:
            problems.append(f"after the drain the outbox still holds {idle}")
        log.append(f"{plan.describe()} -> kiosk exit {run.returncode}, "
                   f"accepted {sum(1 for line in run.lines if 'accepted' in line)}, "
                   f"refused {sum(1 for line in run.lines if 'refused' in line)}")
        assert not problems, f"seed {seed}, {log[-1]}:\n" + "\n".join(problems)
    with capsys.disabled():
        print(f"\n{rig.summary()}; seed {seed}; every check held after each round")
    assert rig.tally.rounds == ROUNDS
    assert rig.tally.accepted["ticket"] > 0, f"no ticket was taken: the harness tested nothing; {rig.summary()}"
