"""Offline tickets drawn by the kiosk: its own range, persisted, reset daily in Vietnam time."""

import datetime as dt
import socket
import threading

import pytest

from kiosk.api.client import CentralClient
from kiosk.sync import SyncStatus
from kiosk.tickets import MSG_UNKNOWN_SERVICE, TZ, TicketError, Tickets

UTC = dt.timezone.utc


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def desk(open_outbox):
    """``desk(name, prefix, now=None)``: a ticket desk whose central service is unreachable."""
    made = []

    def make(name="kiosk", prefix="K1", now=None):
        sync = SyncStatus()
        client = CentralClient(_closed_port_url(), "t", connect_timeout=0.5, read_timeout=0.5, observer=sync.observe)
        outbox = open_outbox(name)
        sync.outbox = outbox
        tickets = Tickets(client, outbox, sync, prefix=prefix, recheck_s=0, now=now)
        made.append(client)
        return tickets

    yield make
    for client in made:
        client.close()


def test_offline_tickets_use_the_kiosk_range_and_are_queued_for_the_center(desk):
    tickets = desk()
    first = tickets.issue("A")
    second = tickets.issue("a", priority=True)
    other = tickets.issue("B")
    assert (first.number, second.number, other.number) == ("K1-A001", "K1-A002", "K1-B001")
    assert first.offline and first.reference is None and first.position is None
    assert second.priority and first.issued_at.utcoffset() == dt.timedelta(hours=7)

    queued = [j for j in tickets.outbox.jobs() if j.kind == "ticket"]
    assert [j.payload["body"]["offline_number"] for j in queued] == ["K1-A001", "K1-A002", "K1-B001"]
    assert [j.key for j in queued] == [first.key, second.key, other.key]
    assert queued[0].payload["body"]["issued_at"] == first.issued_at.isoformat()
    assert tickets.sync.snapshot().offline
    assert tickets.sync.snapshot().waiting == {"ticket": 3}


def test_numbers_survive_a_restart(desk):
    tickets = desk()
    tickets.issue("A")
    tickets.issue("A")
    tickets.outbox.close()
    again = desk()
    assert again.issue("A").number == "K1-A003"
    assert [t.number for t in again.issued_today()] == ["K1-A001", "K1-A002", "K1-A003"]


def test_numbering_restarts_each_day_in_vietnam_time(desk):
    clock = [dt.datetime(2026, 3, 1, 16, 50, tzinfo=UTC)]  # 23:50 in Hà Nội
    tickets = desk(now=lambda: clock[0])
    assert tickets.issue("A").number == "K1-A001"
    assert tickets.issue("A").number == "K1-A002"
    clock[0] = dt.datetime(2026, 3, 1, 17, 5, tzinfo=UTC)  # 00:05 the next day there, same UTC day
    after_midnight = tickets.issue("A")
    assert after_midnight.number == "K1-A001"
    assert after_midnight.issued_at.astimezone(TZ).date() == dt.date(2026, 3, 2)


def test_two_kiosks_issuing_at_once_never_share_a_number(desk):
    kiosks = [desk("kiosk-1", "K1"), desk("kiosk-2", "K2")]
    numbers: list[list[str]] = [[], []]
    errors = []

    def issue(index: int, tickets: Tickets) -> None:
        try:
            for n in range(30):
                numbers[index].append(tickets.issue("AB"[n % 2]).number)
        except Exception as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=issue, args=(i, k)) for i, k in enumerate(kiosks)]
    threads += [threading.Thread(target=issue, args=(i, k)) for i, k in enumerate(kiosks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    everything = numbers[0] + numbers[1]
    assert len(everything) == 120 and len(set(everything)) == 120
    for prefix, issued in zip(("K1", "K2"), numbers):
        for service in "AB":
            mine = sorted(n for n in issued if n.startswith(f"{prefix}-{service}"))
            assert mine == [f"{prefix}-{service}{i:03d}" for i in range(1, 31)], "no gaps, no repeats"


def test_bad_service_codes_are_refused_with_a_citizen_message(desk):
    tickets = desk()
    with pytest.raises(TicketError) as caught:
        tickets.issue("A1 OR 1=1")
    assert caught.value.citizen_message == MSG_UNKNOWN_SERVICE
    assert tickets.outbox.jobs() == []


def test_offline_only_known_services_get_numbers(desk):
    tickets = desk()
    with tickets.outbox.transaction() as conn:
        conn.execute("INSERT INTO tickets_services (id, body, fetched_at) VALUES (1, ?, '')",
                     ('[{"code": "A"}, {"code": "B"}]',))
    assert [s["code"] for s in tickets.services()] == ["A", "B"], "the last known list is offered offline"
    with pytest.raises(TicketError) as caught:
        tickets.issue("C")
    assert caught.value.citizen_message == MSG_UNKNOWN_SERVICE
    assert tickets.issue("B").number == "K1-B001"


def test_void_and_reprint_are_queued_for_the_center(desk):
    tickets = desk()
    ticket = tickets.issue("A")
    reprinted = tickets.reprint(ticket)
    voided = tickets.void(ticket)
    assert reprinted.reprints == 1 and voided.status == "voided"
    assert tickets.void(ticket).status == "voided"
    kinds = [(j.kind, j.payload.get("issue_key"), j.payload.get("reason")) for j in tickets.outbox.jobs()]
    assert kinds == [("ticket", None, None), ("ticket_reprint", ticket.key, None),
                     ("ticket_void", ticket.key, "print_failed")]
