"""The kiosk process the fault-injection rounds start, kill and start again.

    python chaos_kiosk.py SPEC.json

The spec names the kiosk's data dir, the central URL (the harness's TCP proxy), the kiosk token, the
printer URL (the simulator, maybe with faults) and the operations to perform in order:
``{"kind": "ticket", "service": "A", "priority": false}``, ``{"kind": "rating", "marker": "..."}`` or
``{"kind": "dossier", "id_number": "..."}``. The kiosk is built by ``kiosk.wiring.build`` like the real
one: real outbox, real delivery worker, real HTTP client, the simulated printer.

Each operation the kiosk accepted prints one JSON line (``{"accepted": kind, ...}``), one it refused
``{"refused": kind, "error": ...}``. With ``"drain": true`` it performs no operation and delivers
everything the outbox holds (voiding numbers left unprinted by an earlier run) before printing
``{"idle": true, ...}``. ``"die_after_issue_answer": true`` kills the process right after the service
answered a ticket issue, before the kiosk could record the number; ``"disk_full_after_start": true``
lets no file grow once the kiosk has started, ``"disk_full_after_issue_answer": true`` none once the
service answered a ticket issue.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import uuid
from pathlib import Path

KEYS = uuid.UUID("6a1f7c52-3d0e-4f43-9b1e-2c8d7e5a9f01")
NO_DEVICES = {kind: "none://" for kind in ("camera", "qr_reader", "speaker", "locker")}


def emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def build_kiosk(spec: dict):
    from kiosk import config as kiosk_config
    from kiosk import wiring

    config = kiosk_config.from_dict(
        {
            "kiosk": {"id": "chaos-kiosk", "data_dir": spec["data_dir"], "offline_prefix": "K9"},
            "central": {"url": spec["url"], "token": spec["token"], "connect_timeout_s": 0.5,
                        "read_timeout_s": spec.get("read_timeout_s", 1.5)},
            "devices": {**NO_DEVICES, "printer": spec.get("printer", "sim://")},
        },
        "<chaos>",
    )
    kiosk = wiring.build(config)
    kiosk.worker.probe_interval_s = 0.2
    kiosk.tickets.recheck_s = 0.0
    kiosk.desk.hold_s = spec.get("hold_s", 2.0)
    if spec.get("die_after_issue_answer"):
        die_after_answer(kiosk.api)
    if spec.get("disk_full_after_start"):
        fill_disk(Path(spec["data_dir"]))
    if spec.get("disk_full_after_issue_answer"):
        fill_disk_after_answer(kiosk.api, Path(spec["data_dir"]))
    return kiosk


def fill_disk(folder: Path) -> None:
    """From now on no file of this process may grow: writes fail with EFBIG, as on a full disk."""
    import resource

    largest = max((p.stat().st_size for p in folder.rglob("*") if p.is_file()), default=0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (largest, largest))


def die_after_answer(client) -> None:
    """SIGKILL this process the moment the service has answered a ticket issue, before the kiosk records it."""
    issue = client.issue_ticket

    def issue_then_die(*args, **kwargs):
        answer = issue(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)
        return answer

    client.issue_ticket = issue_then_die


def fill_disk_after_answer(client, folder: Path) -> None:
    """Fill the disk the moment the service has answered a ticket issue, before the kiosk records it."""
    issue = client.issue_ticket

    def issue_then_fill(*args, **kwargs):
        answer = issue(*args, **kwargs)
        fill_disk(folder)
        return answer

    client.issue_ticket = issue_then_fill


def unsettled(kiosk) -> int:
    with kiosk.outbox.reading() as conn:
        return conn.execute(
            "SELECT COUNT(*) FROM ticket_prints WHERE state IN ('pending', 'printing', 'failed', 'voiding')"
        ).fetchone()[0]


def drain(kiosk, deadline_s: float) -> None:
    kiosk.worker.stop()
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        kiosk.desk.expire()
        kiosk.outbox.retry_now()
        kiosk.worker.run_until_idle()
        counts = kiosk.outbox.counts()
        if counts.waiting_total == 0 and unsettled(kiosk) == 0:
            break
        time.sleep(0.2)
    counts = kiosk.outbox.counts()
    emit({"idle": True, "waiting": counts.waiting, "failed": counts.failed, "unsettled": unsettled(kiosk),
          "failed_reasons": [job.failed_reason for job in kiosk.outbox.jobs("failed")]})


def perform(kiosk, op: dict, procedure: dict, scan: bytes) -> dict:
    from kiosk.outbox import queue_dossier, queue_rating

    kind = op["kind"]
    if kind == "ticket":
        issued = kiosk.desk.take(op["service"], op.get("priority", False))
        if issued.state == "failed":
            kiosk.desk.abandon(issued)
        return {"key": issued.ticket.key, "number": issued.number, "state": issued.state,
                "offline": issued.ticket.offline}
    if kind == "rating":
        queue_rating(kiosk.outbox, op.get("score", 4), reasons=[op["marker"]], key=str(uuid.uuid5(KEYS, op["marker"])))
        kiosk.worker.wake()
        return {"marker": op["marker"]}
    if kind == "dossier":
        owner = {"id_number": op["id_number"], "full_name": "Đỗ Văn Thử", "date_of_birth": "1980-05-06",
                 "sex": "male", "address": "Thôn Thử Nghiệm, xã Hợp Thịnh"}
        body = {"procedure": procedure["code"], "owner": owner, "form": {}}
        document = {"checklist_item": procedure["documents"][0]["id"], "filename": "scan.pdf",
                    "content_type": "application/pdf", "data": scan}
        queue_dossier(kiosk.outbox, body, [document], key=str(uuid.uuid5(KEYS, op["id_number"])))
        kiosk.worker.wake()
        return {"id_number": op["id_number"]}
    raise ValueError(f"unknown operation {kind!r}")


def main() -> int:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    from kiosk.tickets import TicketError

    try:
        kiosk = build_kiosk(spec)
    except Exception as err:  # e.g. a full disk: the kiosk does not start and so accepts nothing
        emit({"start_failed": f"{type(err).__name__}: {str(err)[:160]}"})
        return 3
    emit({"started": True, "recovered": kiosk.outbox.recovered})
    try:
        if spec.get("drain"):
            drain(kiosk, spec.get("drain_deadline_s", 30.0))
            return 0
        kiosk.desk.expire()
        procedure = spec.get("procedure") or {}
        scan = Path(spec["scan"]).read_bytes() if spec.get("scan") else b""
        for op in spec["ops"]:
            try:
                done = perform(kiosk, op, procedure, scan)
            except TicketError as err:
                emit({"refused": op["kind"], "error": str(err)[:200], "exception": "TicketError"})
            except Exception as err:  # a full disk, a damaged database: the kiosk refuses, never half-accepts
                emit({"refused": op["kind"], "error": str(err)[:160], "exception": type(err).__name__})
            else:
                emit({"accepted": op["kind"], **done})
            time.sleep(op.get("pause_s", 0.0))
        emit({"done": True})
        time.sleep(spec.get("linger_s", 0.0))  # let the worker deliver while the harness may still strike
        return 0
    finally:
        kiosk.close()


if __name__ == "__main__":
    sys.exit(main())
