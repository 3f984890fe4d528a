"""A number drawn for a request whose answer the kiosk lost or could not write down ends voided.

The kiosk writes every issue request down before sending it. A request left written down (the run
that sent it ended, or the ticket could not be recorded) is voided by its key: ``POST
/api/v1/tickets/void-by-key`` voids the number drawn under the key, or spends the key when none was,
so the request arriving late draws nothing.
"""

from __future__ import annotations

import sqlite3
import uuid

import pytest
import requests
from ticket_rig import wait_until

from kiosk.api.errors import CentralTimeout
from kiosk.tickets import MSG_REFUSED, TicketError


def _post(center, path: str, body: dict, key: str | None = None, token: str | None = None):
    headers = {"Authorization": f"Bearer {token or center.kiosk_token}", "Idempotency-Key": key or str(uuid.uuid4())}
    return requests.post(f"{center.url}/api/v1{path}", json=body, headers=headers, timeout=10)


def _requested(kiosk) -> list[str]:
    with kiosk.outbox.reading() as conn:
        return [row[0] for row in conn.execute("SELECT issue_key FROM tickets_requested")]


def _status(center, reference: str) -> str:
    return center.ticket(reference)["status"]


# --- the central service's void by key -------------------------------------------------------------


def test_void_by_key_voids_the_number_drawn_under_the_key(shared_center):
    issue_key = str(uuid.uuid4())
    drawn = _post(shared_center, "/tickets", {"service": "A", "priority": False}, key=issue_key).json()
    void_key = str(uuid.uuid4())
    first = _post(shared_center, "/tickets/void-by-key", {"key": issue_key, "reason": "kiosk_restarted"}, void_key)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["drawn"] is True and answer["ticket"]["reference"] == drawn["reference"]
    assert answer["ticket"]["status"] == "voided" == _status(shared_center, drawn["reference"])
    repeat = _post(shared_center, "/tickets/void-by-key", {"key": issue_key, "reason": "kiosk_restarted"}, void_key)
    assert repeat.json() == answer and repeat.headers.get("Idempotent-Replayed") == "true"
    again = _post(shared_center, "/tickets/void-by-key", {"key": issue_key, "reason": "not_recorded"})
    assert again.status_code == 200 and again.json()["ticket"]["status"] == "voided"


def test_void_by_key_of_a_request_never_received_spends_the_key(shared_center):
    """GIVEN an issue request that never reached the service WHEN its key is voided THEN nothing is drawn,
    and the request arriving late is refused instead of drawing a number nobody holds."""
    issue_key = str(uuid.uuid4())
    answer = _post(shared_center, "/tickets/void-by-key", {"key": issue_key, "reason": "kiosk_restarted"})
    assert answer.status_code == 200 and answer.json() == {"key": issue_key, "drawn": False, "ticket": None}
    before = {t["number"] for t in shared_center.queue()}
    late = _post(shared_center, "/tickets", {"service": "B", "priority": False}, key=issue_key)
    assert late.status_code == 422 and late.json()["error"] == "idempotency_key_reused"
    assert {t["number"] for t in shared_center.queue()} == before
    twice = _post(shared_center, "/tickets/void-by-key", {"key": issue_key, "reason": "kiosk_restarted"})
    assert twice.status_code == 200 and twice.json()["drawn"] is False


def test_void_by_key_of_another_kiosks_request_is_refused(shared_center):
    other_token = shared_center.add_kiosk("hall-9")
    issue_key = str(uuid.uuid4())
    drawn = _post(shared_center, "/tickets", {"service": "A", "priority": False}, key=issue_key).json()
    refused = _post(shared_center, "/tickets/void-by-key", {"key": issue_key}, token=other_token)
    assert refused.status_code == 404 and refused.json()["error"] == "ticket_not_found"
    assert _status(shared_center, drawn["reference"]) == "waiting"
    malformed = _post(shared_center, "/tickets/void-by-key", {"key": "x y"})
    assert malformed.status_code == 422


# --- the kiosk ------------------------------------------------------------------------------------


def test_the_request_is_written_down_before_it_is_sent_and_crossed_out_with_its_ticket(center, make_kiosk):
    kiosk = make_kiosk(center)
    seen = []
    send = kiosk.api.issue_ticket

    def watch(body, key, **kwargs):
        seen.append(key in _requested(kiosk))
        return send(body, key, **kwargs)

    kiosk.api.issue_ticket = watch
    issued = kiosk.desk.take("A")
    assert seen == [True]
    assert issued.state == "printed" and not issued.ticket.offline
    assert _requested(kiosk) == [] and kiosk.tickets.get(issued.ticket.key) is not None


def test_a_request_left_by_an_ended_run_is_voided_by_key_but_not_while_that_run_lives(center, make_kiosk):
    """GIVEN a run that sent a request and never recorded its answer WHEN another run starts on the same
    folder THEN it leaves the request alone while the first run lives, and voids its number once it ended."""
    first = make_kiosk(center, name="k1")
    send = first.api.issue_ticket
    drawn = {}

    def answer_then_die(body, key, **kwargs):
        drawn.update(send(body, key, **kwargs))
        raise KeyboardInterrupt  # the run ends between the answer and the record

    first.api.issue_ticket = answer_then_die
    with pytest.raises(KeyboardInterrupt):
        first.tickets.issue("A")
    [left] = _requested(first)
    first.worker.stop()

    second = make_kiosk(center, name="k1")  # e.g. a CLI command on the same data folder
    second.desk.expire()
    assert _requested(second) == [left] and _status(center, drawn["reference"]) == "waiting"

    first.tickets.close()
    assert second.tickets.settle_requests() == 1
    assert _requested(second) == []
    assert wait_until(lambda: _status(center, drawn["reference"]) == "voided", timeout=20)
    assert second.tickets.settle_requests() == 0


def test_a_request_the_service_never_received_draws_nothing_after_the_restart(center, make_kiosk):
    first = make_kiosk(center, name="k1")

    def die_before_sending(body, key, **kwargs):
        raise KeyboardInterrupt

    first.api.issue_ticket = die_before_sending
    with pytest.raises(KeyboardInterrupt):
        first.tickets.issue("B")
    [left] = _requested(first)
    first.tickets.close()
    first.close()

    second = make_kiosk(center, name="k1")
    assert wait_until(lambda: second.outbox.counts().delivered.get("ticket_void"), timeout=20)
    late = _post(center, "/tickets", {"service": "B", "priority": False}, key=left)
    assert late.status_code == 422
    assert center.issue("B")["number"] == "B001", "the lost request drew no number"


def test_a_ticket_the_kiosk_cannot_record_is_voided_at_once(center, make_kiosk):
    """GIVEN the ledger cannot be written after the service answered WHEN a citizen takes a number THEN
    the citizen is refused with a clear message and the number is voided at the service right away."""
    kiosk = make_kiosk(center)
    references = []
    send = kiosk.api.issue_ticket

    def remember(body, key, **kwargs):
        answer = send(body, key, **kwargs)
        references.append(answer["reference"])
        return answer

    def disk_full(conn, ticket):
        raise sqlite3.OperationalError("database or disk is full")

    kiosk.api.issue_ticket = remember
    with pytest.raises(TicketError) as refused:
        kiosk.tickets.issue("A", on_record=disk_full)
    assert refused.value.citizen_message == MSG_REFUSED
    assert _status(center, references[0]) == "voided"
    assert kiosk.tickets.issued_today() == [] and _requested(kiosk) == []


def test_a_ticket_not_recorded_and_not_voided_at_once_is_voided_by_key_later(center, make_kiosk):
    kiosk = make_kiosk(center)
    kiosk.worker.stop()
    references = []
    send = kiosk.api.issue_ticket

    def answer_then_lose_the_link(body, key, **kwargs):
        answer = send(body, key, **kwargs)
        references.append(answer["reference"])
        center.stop()
        return answer

    def disk_full(conn, ticket):
        raise sqlite3.OperationalError("database or disk is full")

    kiosk.api.issue_ticket = answer_then_lose_the_link
    with pytest.raises(TicketError):
        kiosk.tickets.issue("A", on_record=disk_full)
    assert len(_requested(kiosk)) == 1, "kept written down for a later void"
    center.start()
    assert _status(center, references[0]) == "waiting"
    kiosk.desk.expire()
    assert _requested(kiosk) == []
    kiosk.worker.run_until_idle()
    assert _status(center, references[0]) == "voided"


def test_a_request_given_up_for_an_offline_number_is_voided_by_key(center, make_kiosk):
    kiosk = make_kiosk(center, prefix="K5")
    kiosk.desk.services()
    kiosk.worker.stop()
    references = []
    send = kiosk.api.issue_ticket

    def answer_too_late(body, key, **kwargs):
        references.append(send(body, key, **kwargs)["reference"])
        raise CentralTimeout("central service did not answer in time")

    kiosk.api.issue_ticket = answer_too_late
    ticket = kiosk.tickets.issue("A")
    assert ticket.offline and ticket.number == "K5-A001" and _requested(kiosk) == []
    kiosk.worker.run_until_idle()
    assert _status(center, references[0]) == "voided"
    assert [t["number"] for t in center.queue()] == ["K5-A001"]
