"""The printer monitor: what it reads from the printer, whom it tells, and the ticket tile's state."""

from __future__ import annotations

from pathlib import Path

from devices.ports import PrinterStatus
from devices.printer.sim import SimulatedPrinter
from kiosk.printing.monitor import COVER_OPEN, NO_PRINTER, OFFLINE, PAPER_OUT, PrinterMonitor, PrinterState


def sim(tmp_path: Path) -> SimulatedPrinter:
    return SimulatedPrinter(tmp_path / "printed")


def test_states_read_from_the_printer(tmp_path):
    printer = sim(tmp_path)
    assert PrinterState.of(printer) == PrinterState(True, "ok")
    printer.set_paper("near_end")
    near = PrinterState.of(printer)
    assert near.can_print and near.alert == "printer_paper_low"
    printer.set_paper("out")
    assert PrinterState.of(printer).reason == PAPER_OUT
    printer.set_paper("ok")
    printer.open_cover()
    assert PrinterState.of(printer).reason == COVER_OPEN
    printer.close_cover()
    printer.unplug()
    assert PrinterState.of(printer).reason == OFFLINE
    assert PrinterState.of(None).reason == NO_PRINTER
    # A one-way link cannot tell: the kiosk prints and finds out.
    assert PrinterState.of(printer, PrinterStatus(online=None)).can_print


def test_changes_reach_listeners_staff_and_the_heartbeat_once_each(tmp_path):
    printer = sim(tmp_path)
    alerts, beats, seen = [], [], []
    monitor = PrinterMonitor(printer, alert=lambda kind, detail: alerts.append(kind),
                             heartbeat=lambda: beats.append(1))
    monitor.subscribe(seen.append)
    monitor.check()
    monitor.check()
    assert [s.can_print for s in seen] == [True] and alerts == [] and beats == []

    printer.set_paper("near_end")
    monitor.check()
    printer.set_paper("out")
    monitor.check()
    monitor.check()
    printer.set_paper("ok")
    monitor.check()

    assert [s.paper for s in seen] == ["ok", "near_end", "out", "ok"]
    assert alerts == ["printer_paper_low", "printer_paper_out"]
    assert len(beats) == 3


def test_a_failing_listener_or_alert_does_not_stop_the_checks(tmp_path):
    printer = sim(tmp_path)

    def broken(*_args):
        raise RuntimeError("listener bug")

    monitor = PrinterMonitor(printer, alert=broken, heartbeat=broken)
    monitor.subscribe(broken)
    printer.go_offline()
    assert monitor.check().reason == OFFLINE
    printer.go_online()
    assert monitor.check().can_print


def test_the_timer_checks_and_runs_its_hooks(tmp_path):
    printer = sim(tmp_path)
    ticks = []
    monitor = PrinterMonitor(printer, interval_s=0.01)
    monitor.ticks.append(lambda: ticks.append(1))
    monitor.start()
    try:
        import time

        deadline = time.monotonic() + 5
        while len(ticks) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        printer.set_paper("out")
        while monitor.state.paper != "out" and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        monitor.stop()
    assert len(ticks) >= 3
    assert monitor.state.reason == PAPER_OUT
