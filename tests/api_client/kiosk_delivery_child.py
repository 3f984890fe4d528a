"""A small kiosk process for the kill -9 tests: queue a fixed set of writes, then deliver them.

    python kiosk_delivery_child.py DATA_DIR URL TOKEN MODE [N]

The first run queues the jobs (with fixed idempotency keys, so a run killed while queuing queues the
rest next time without doubling any) and leaves a ``queued`` marker; later runs only deliver. Modes:

- ``deliver``: deliver everything, printing ``delivered KIND KEY`` per job, then ``idle``;
- ``crash-after-answer N``: die by SIGKILL right after the service answered the N-th job, before the
  outbox could record it (the worst moment);
- ``crash-mid-upload N``: die by SIGKILL right after the service accepted the N-th upload chunk.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import uuid
from pathlib import Path

from kiosk.api.client import CentralClient
from kiosk.outbox import DeliveryWorker, Outbox, SecretBox, queue_dossier, queue_rating
from kiosk.outbox.delivery import HANDLERS

KEYS = uuid.UUID("0d7c1f2e-9a57-4a3c-8a41-6f8f5d7b2c10")
TICKETS = 10
RATINGS = 30
CHUNK_BYTES = 64 * 1024
# An invented citizen; no real person has these details.
OWNER = {"id_number": "001099054321", "full_name": "Lê Thị Thử", "date_of_birth": "1985-01-02"}


def key(name: str) -> str:
    return str(uuid.uuid5(KEYS, name))


def queue_everything(outbox: Outbox, client: CentralClient, scan: bytes) -> None:
    for n in range(1, TICKETS + 1):
        body = CentralClient.ticket_body("A", False, f"K7-A{n:03d}", f"2026-03-02T08:{n:02d}:00+07:00")
        outbox.enqueue("ticket", {"body": body}, key=key(f"ticket-{n}"))
    for n in range(1, RATINGS + 1):
        queue_rating(outbox, 1 + n % 4, key=key(f"rating-{n}"))
    procedure = client.procedure(client.procedures()[0]["code"])
    body = {"procedure": procedure["code"], "owner": OWNER, "form": {}}
    document = {"checklist_item": procedure["documents"][0]["id"], "filename": "scan.pdf",
                "content_type": "application/pdf", "data": scan}
    queue_dossier(outbox, body, [document], key=key("dossier"))


def main() -> int:
    data_dir, url, token, mode = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    limit = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    outbox = Outbox(data_dir / "outbox.sqlite3", SecretBox.from_file(data_dir / "outbox.key"))
    client = CentralClient(url, token, connect_timeout=2, read_timeout=10)
    marker = data_dir / "queued"
    if not marker.exists():
        queue_everything(outbox, client, (data_dir / "scan.pdf").read_bytes())
        marker.touch()
    print(f"recovered {outbox.recovered}", flush=True)

    handlers = dict(HANDLERS)
    if mode == "crash-after-answer":
        answered = [0]

        def crash_after(handler):
            def deliver(delivery, job):
                result = handler(delivery, job)
                answered[0] += 1
                if answered[0] >= limit:
                    os.kill(os.getpid(), signal.SIGKILL)
                return result

            return deliver

        handlers = {kind: crash_after(h) for kind, h in HANDLERS.items()}
    elif mode == "crash-mid-upload":
        accepted = [0]
        put_chunk = client.put_chunk

        def counting_put_chunk(*args, **kwargs):
            received = put_chunk(*args, **kwargs)
            accepted[0] += 1
            print(f"chunk {received}", flush=True)
            if accepted[0] >= limit:
                os.kill(os.getpid(), signal.SIGKILL)
            return received

        client.put_chunk = counting_put_chunk

    worker = DeliveryWorker(outbox, client, handlers=handlers, chunk_bytes=CHUNK_BYTES)
    for kind in HANDLERS:
        worker.on_delivered(kind, lambda job, _answer: print(f"delivered {job.kind} {job.key}", flush=True))
    deadline = time.monotonic() + 90
    while outbox.counts().waiting_total and time.monotonic() < deadline:
        if not worker.run_until_idle():
            time.sleep(0.1)  # a job waits for its next attempt
    counts = outbox.counts()
    print(f"idle waiting={counts.waiting_total} failed={sum(counts.failed.values())}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
