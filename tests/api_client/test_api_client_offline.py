"""The kiosk with the real central service going away and coming back.

GIVEN a kiosk built by ``wiring.build`` and the central service on loopback, WHEN the service stops,
THEN the kiosk goes on issuing (offline) tickets and taking ratings and dossiers, and WHEN it comes back
everything reaches it exactly once.
"""

import datetime as dt
import threading
import time

from live_central import pdf_bytes

from central import models
from kiosk.outbox import queue_dossier, queue_rating

# An invented citizen; no real person has these details.
OWNER = {"id_number": "001099012345", "full_name": "Trần Văn Thử", "date_of_birth": "1990-05-17",
         "sex": "Nam", "address": "Thôn Thử Nghiệm, xã Hợp Thịnh"}


def _wait(condition, timeout=40.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _dossier(kiosk, code_hint: str = "") -> dict:
    procedure = kiosk.api.procedure(kiosk.api.procedures()[0]["code"])
    item = procedure["documents"][0]["id"]
    body = {"procedure": procedure["code"], "owner": OWNER, "form": {"note": code_hint},
            "submitted_at": dt.datetime.now(dt.timezone.utc).isoformat()}
    return body, item


def test_the_kiosk_keeps_working_while_the_service_is_stopped(live_central, make_kiosk):
    kiosk = make_kiosk(live_central)
    kiosk.tickets.services()  # the kiosk learns the services while online
    body, item = _dossier(kiosk)
    online = kiosk.tickets.issue("A")
    assert not online.offline and online.number == "A001" and online.reference

    live_central.stop()
    offline = [kiosk.tickets.issue(code) for code in "AAB"]
    assert [t.number for t in offline] == ["K1-A001", "K1-A002", "K1-B001"]
    assert all(t.offline for t in offline)
    kiosk.tickets.void(offline[1])  # its slip did not print
    queue_rating(kiosk.outbox, 4, ["friendly"], service="A")
    queue_rating(kiosk.outbox, 2)
    scan = pdf_bytes("birth certificate", padding=40_000)
    queue_dossier(kiosk.outbox, body, [{"checklist_item": item, "filename": "scan.pdf",
                                        "content_type": "application/pdf", "data": scan}])
    kiosk.worker.wake()

    snapshot = kiosk.sync.snapshot()
    assert snapshot.offline and snapshot.notice is not None
    assert snapshot.waiting == {"dossier": 1, "rating": 2, "ticket": 3, "ticket_void": 1}
    assert snapshot.last_error and "unreachable" in snapshot.last_error

    live_central.start()
    assert _wait(lambda: kiosk.outbox.counts().waiting_total == 0), kiosk.outbox.jobs()
    counts = kiosk.outbox.counts()
    assert counts.failed == {}
    assert counts.delivered == {"dossier": 1, "rating": 2, "ticket": 3, "ticket_void": 1}
    assert kiosk.sync.snapshot().online is True

    recorded = live_central.rows(models.Ticket, models.Ticket.offline.is_(True))
    assert sorted(t.number for t in recorded) == ["K1-A001", "K1-A002", "K1-B001"]
    assert {t.number: t.status for t in recorded}["K1-A002"] == "voided"
    assert live_central.count(models.Rating) == 2
    [dossier] = live_central.rows(models.Dossier)
    assert dossier.owner_id_number == OWNER["id_number"]
    [document] = live_central.rows(models.Document)
    assert document.size == len(scan) and document.dossier_id == dossier.id

    for ticket in offline:
        assert kiosk.tickets.get(ticket.key).reference, "the kiosk learns the central reference"
    live = kiosk.tickets.refresh(offline[2])
    assert live.status == "waiting" and isinstance(live.position, int) and live.counter
    assert kiosk.tickets.refresh(offline[1]).status == "voided"


def test_an_issue_that_timed_out_is_voided_once_the_service_answers(sqlite_central, make_kiosk):
    """GIVEN the service is too slow to answer in time WHEN the kiosk issues offline instead THEN the
    number the service may have drawn meanwhile is voided there, and the offline one is recorded."""
    kiosk = make_kiosk(sqlite_central)
    kiosk.tickets.timeout = (1.0, 0.0005)
    ticket = kiosk.tickets.issue("A")
    assert ticket.offline and ticket.number == "K1-A001"
    kiosk.tickets.timeout = (1.0, 5.0)
    assert _wait(lambda: kiosk.outbox.counts().waiting_total == 0), kiosk.outbox.jobs()
    assert kiosk.outbox.counts().failed == {}
    by_number = {t.number: t.status for t in sqlite_central.rows(models.Ticket)}
    assert by_number == {"A001": "voided", "K1-A001": "waiting"}


def test_two_kiosks_issuing_at_once_never_share_a_number(live_central, make_kiosk):
    second_token = live_central.add_kiosk("kiosk-2")
    kiosks = [make_kiosk(live_central, "kiosk-1", "K1"), make_kiosk(live_central, "kiosk-2", "K2", second_token)]
    for kiosk in kiosks:
        kiosk.tickets.services()
    issued: list[str] = []
    lock = threading.Lock()
    errors = []

    def issue(kiosk, count):
        try:
            for n in range(count):
                ticket = kiosk.tickets.issue("AB"[n % 2])
                with lock:
                    issued.append(ticket.number)
        except Exception as err:
            errors.append(err)

    def together(count):
        threads = [threading.Thread(target=issue, args=(k, count)) for k in kiosks for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    together(6)  # online: numbers drawn by the service
    live_central.stop()
    together(6)  # offline: each kiosk draws from its own range
    live_central.start()
    for kiosk in kiosks:
        assert _wait(lambda k=kiosk: k.outbox.counts().waiting_total == 0), kiosk.outbox.jobs()
        assert kiosk.outbox.counts().failed == {}

    assert errors == []
    assert len(issued) == 48 and len(set(issued)) == 48
    assert sum(1 for n in issued if n.startswith("K1-")) == 12
    assert sum(1 for n in issued if n.startswith("K2-")) == 12
    recorded = [t.number for t in live_central.rows(models.Ticket)]
    assert sorted(recorded) == sorted(issued), "every ticket recorded once, none extra"
