"""Tickets while the central service is down, their later reconciliation, and kiosks issuing at once."""

from __future__ import annotations

import threading

from ticket_rig import wait_until

from kiosk.sync import OFFLINE_NOTICE


def test_offline_tickets_print_and_reach_the_center_when_it_is_back(center, make_kiosk):
    """GIVEN the central service stopped WHEN citizens take numbers THEN they are printed from the kiosk's own
    range, say so, and are recorded at the center exactly once after it comes back."""
    kiosk = make_kiosk(center, prefix="K7")
    kiosk.desk.services()  # the list of services is known from earlier
    center.stop()

    first = kiosk.desk.take("A", language="vi")
    second = kiosk.desk.take("A", priority=True, language="vi")
    unprinted_printer = kiosk.devices.printer
    unprinted_printer.set_paper("out")
    failed = kiosk.desk.take("B", language="vi")
    kiosk.desk.abandon(failed)
    unprinted_printer.set_paper("ok")

    assert [first.number, second.number, failed.number] == ["K7-A001", "K7-A002", "K7-B001"]
    assert first.ticket.offline and first.state == "printed"
    assert "Số cấp khi ki-ốt mất kết nối, vẫn hợp lệ." in first.job.raster_lines
    assert kiosk.sync.snapshot().notice == OFFLINE_NOTICE
    assert failed.state == "voided"

    center.start()
    kiosk.worker.wake()

    def settled():
        rows = {t["number"]: t for t in center.queue()}
        return rows if {"K7-A001", "K7-A002"} <= rows.keys() and "K7-B001" not in rows else None

    # The voided one is recorded, then taken out of the queue.
    queue = wait_until(settled, timeout=30)
    assert queue, "the offline tickets did not reach the central service as they should"
    assert queue["K7-A002"]["priority"] and queue["K7-A001"]["offline"]
    voided_ref = wait_until(lambda: kiosk.tickets.get(failed.ticket.key).reference, timeout=15)
    assert voided_ref and wait_until(lambda: center.ticket(voided_ref)["status"] == "voided", timeout=15)
    assert wait_until(lambda: kiosk.tickets.get(first.ticket.key).reference, timeout=15)
    numbers = [t["number"] for t in center.queue()]
    assert len(numbers) == len(set(numbers))
    # Scanning the printed QR code at the kiosk now shows the live place in the queue.
    live = kiosk.desk.lookup(first.ticket.key)
    assert live.number == "K7-A001" and live.position is not None
    # ... and at any other kiosk of the center: the QR names the key the ticket was delivered under.
    elsewhere = make_kiosk(center, name="hall-2", prefix="K8", token=center.add_kiosk("hall-2"))
    seen = elsewhere.desk.lookup(first.ticket.key)
    assert seen.number == "K7-A001" and seen.reference == live.reference and seen.position == live.position


def test_two_kiosks_taking_numbers_at_once_never_share_one(center, make_kiosk):
    kiosks = [make_kiosk(center, name=name, prefix=prefix, token=center.add_kiosk(name))
              for name, prefix in (("hall-1", "K1"), ("hall-2", "K2"))]
    for kiosk in kiosks:
        kiosk.desk.services()
    taken: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def citizens(kiosk, count):
        try:
            for i in range(count):
                issued = kiosk.desk.take("A" if i % 3 else "B", language="en")
                assert issued.state == "printed"
                with lock:
                    taken.append(issued.number)
        except BaseException as err:  # reported by the main thread
            errors.append(err)

    threads = [threading.Thread(target=citizens, args=(kiosk, 12)) for kiosk in kiosks]
    for thread in threads:
        thread.start()
    center.stop()  # half-way: both kiosks carry on from their own ranges
    for thread in threads:
        thread.join(60)
    center.start()

    assert not errors, errors
    assert len(taken) == 24 and len(set(taken)) == 24
    for kiosk in kiosks:
        kiosk.worker.wake()
        assert len(kiosk.devices.printer.jobs) == 12
    assert wait_until(lambda: len(center.queue()) == 24, timeout=30)
    assert sorted(t["number"] for t in center.queue()) == sorted(taken)
