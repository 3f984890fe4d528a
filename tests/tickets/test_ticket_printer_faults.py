"""Never an orphan number: every printer fault ends with the number printed after all or voided, the
citizen told what to do in plain words and staff alerted at the central service."""

from __future__ import annotations

import pytest
from ticket_rig import wait_until

from kiosk import i18n
from kiosk.tickets import TicketError
from kiosk.ticket_flow import (
    MSG_ON_SCREEN,
    MSG_PAPER_OUT,
    MSG_PRINT_FAILED,
    MSG_REPRINT_LATE,
    MSG_TORN,
    MSG_VOIDED,
)


def alerts_about(center, number: str) -> list[dict]:
    return [a for a in center.alerts() if a["kind"] == "print_failed" and number in a["detail"]]


def central_status(center, ticket) -> str:
    return center.ticket(ticket.reference)["status"]


def told_in_vietnamese(message: str) -> bool:
    return i18n.translate(message, "vi") != message


def test_paper_out_holds_the_number_then_voids_it_when_the_citizen_leaves(shared_center, make_kiosk):
    kiosk = make_kiosk(shared_center)
    printer = kiosk.devices.printer
    printer.set_paper("out")  # ran out since the last check: the kiosk does not know yet

    issued = kiosk.desk.take("A", language="vi")

    assert issued.state == "failed" and issued.message == MSG_PAPER_OUT and told_in_vietnamese(issued.message)
    assert printer.jobs == []
    assert wait_until(lambda: alerts_about(shared_center, issued.number))
    assert wait_until(lambda: [a for a in shared_center.alerts() if a["kind"] == "printer_paper_out"])
    assert kiosk.desk.availability().can_take is False  # the tile goes off at once
    assert central_status(shared_center, issued.ticket) == "waiting"  # held for a retry

    kiosk.desk.abandon(issued)

    assert issued.state == "voided" and issued.message == MSG_VOIDED
    assert wait_until(lambda: central_status(shared_center, issued.ticket) == "voided")


def test_cover_open_then_closed_prints_the_same_number(shared_center, make_kiosk):
    kiosk = make_kiosk(shared_center)
    printer = kiosk.devices.printer
    printer.open_cover()
    issued = kiosk.desk.take("B", language="en")
    assert issued.state == "failed" and issued.message == MSG_PRINT_FAILED
    assert wait_until(lambda: alerts_about(shared_center, issued.number))

    printer.close_cover()
    kiosk.desk.retry(issued)

    assert issued.state == "printed" and issued.message is None
    assert printer.jobs[-1].complete and issued.number.encode() in printer.jobs[-1].data
    assert central_status(shared_center, issued.ticket) == "waiting"
    assert shared_center.ticket(issued.ticket.reference)["reprints"] == 0


def test_an_offline_printer_that_does_not_come_back_loses_the_number_after_its_hold(shared_center, make_kiosk):
    kiosk = make_kiosk(shared_center)
    kiosk.desk.monitor.stop()  # the test runs the periodic check itself
    kiosk.desk.hold_s = 0.0
    kiosk.devices.printer.go_offline()

    issued = kiosk.desk.take("C")
    assert issued.state == "failed"
    assert kiosk.desk.expire() == 1

    assert wait_until(lambda: central_status(shared_center, issued.ticket) == "voided")
    assert wait_until(lambda: alerts_about(shared_center, issued.number))
    assert kiosk.desk.expire() == 0  # once is enough
    issued.retry_until = 0.0
    kiosk.desk.retry(issued)  # too late: the number is gone, the citizen is told
    assert issued.state == "voided" and issued.message == MSG_VOIDED


def test_unplugged_mid_job_the_citizen_is_warned_of_a_torn_ticket_and_a_retry_counts_as_a_copy(
        shared_center, make_kiosk):
    kiosk = make_kiosk(shared_center)
    printer = kiosk.devices.printer
    printer.unplug_after(1500)

    issued = kiosk.desk.take("D")

    assert issued.state == "failed" and issued.torn and issued.message == MSG_TORN
    assert told_in_vietnamese(MSG_TORN)
    assert printer.jobs[-1].complete is False and len(printer.jobs[-1].data) == 1500
    assert wait_until(lambda: alerts_about(shared_center, issued.number))
    assert wait_until(lambda: [a for a in shared_center.alerts() if a["kind"] == "printer_offline"])

    printer.plug_in()
    kiosk.desk.retry(issued)

    assert issued.state == "printed" and printer.jobs[-1].complete
    assert wait_until(lambda: shared_center.ticket(issued.ticket.reference)["reprints"] == 1)
    assert central_status(shared_center, issued.ticket) == "waiting"


def test_the_last_ticket_can_be_printed_again_for_a_short_time(shared_center, make_kiosk):
    kiosk = make_kiosk(shared_center)
    printer = kiosk.devices.printer
    issued = kiosk.desk.take("E", language="vi")
    assert issued.state == "printed" and len(printer.jobs) == 1

    kiosk.desk.reprint(issued)

    assert len(printer.jobs) == 2 and issued.copies == 1 and issued.message is None
    assert "Bản in lại" in issued.job.raster_lines
    assert wait_until(lambda: shared_center.ticket(issued.ticket.reference)["reprints"] == 1)

    issued.reprint_until = 0.0  # the short time is over
    kiosk.desk.reprint(issued)
    assert issued.message == MSG_REPRINT_LATE and len(printer.jobs) == 2


def test_without_a_printer_no_number_is_drawn(shared_center, make_kiosk):
    kiosk = make_kiosk(shared_center, printer="none://")
    waiting_before = len(shared_center.queue())

    assert kiosk.desk.availability().can_take is False
    with pytest.raises(TicketError) as refused:
        kiosk.desk.take("A")

    assert told_in_vietnamese(refused.value.citizen_message)
    assert len(shared_center.queue()) == waiting_before


@pytest.mark.parametrize("printer", ["none://", "sim://?faults=paper_out"])
def test_when_config_allows_the_number_is_shown_on_screen_and_stays_valid(shared_center, make_kiosk, printer):
    kiosk = make_kiosk(shared_center, printer=printer, show_without_printer=True)
    available = kiosk.desk.availability()
    assert available.can_take and not available.prints

    issued = kiosk.desk.take("F")

    assert issued.state == "shown" and issued.message == MSG_ON_SCREEN
    assert issued.slip.qr.endswith(issued.ticket.reference)
    assert kiosk.desk.expire() == 0
    assert central_status(shared_center, issued.ticket) == "waiting"


def test_a_number_drawn_just_before_a_crash_is_voided_after_the_restart(shared_center, make_kiosk, tmp_path):
    kiosk = make_kiosk(shared_center, name="crashing")
    kiosk.desk.monitor.stop()
    kiosk.desk.hold_s = 0.0
    # The number is drawn and recorded, then the kiosk dies before printing it.
    ticket = kiosk.tickets.issue("A", on_record=kiosk.desk._record_pending)
    kiosk.close()

    restarted = make_kiosk(shared_center, name="crashing")  # same data folder: the monitor's first check voids it

    assert wait_until(lambda: central_status(shared_center, ticket) == "voided")
    assert restarted.tickets.get(ticket.key).status == "voided"


def test_a_number_voided_by_the_periodic_check_is_never_printed_afterwards(shared_center, make_kiosk):
    kiosk = make_kiosk(shared_center)
    kiosk.desk.monitor.stop()
    kiosk.desk.hold_s = 0.0
    printer = kiosk.devices.printer
    printer.open_cover()
    issued = kiosk.desk.take("A")
    assert kiosk.desk.expire() == 1  # the check voids it just before the citizen touches "Try again"
    printer.close_cover()
    issued.retry_until = kiosk.desk.clock() + 60  # the screen still offers the retry

    kiosk.desk.retry(issued)

    assert issued.state == "voided" and issued.message == MSG_VOIDED
    assert printer.jobs == []
    assert wait_until(lambda: central_status(shared_center, issued.ticket) == "voided")
