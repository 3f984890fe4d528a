"""Whether a ticket can be printed now: the printer's state, checked on a timer, as the screens show it.

``PrinterMonitor`` asks the printer port for its status every ``interval_s`` seconds on its own thread
(a real printer answers ``DLE EOT`` within its status timeout; a one-way link reports "unknown", which
counts as able to print). The last answer is a plain ``PrinterState``: the ticket tile reads it to
enable or disable itself, and listeners added with ``subscribe`` hear every change (on the monitor's
thread; screens move the call onto the UI thread). On a change the monitor also queues a heartbeat so
the central service's device health follows at once, and alerts staff when the printer needs a hand
(paper low or out, cover open, offline). Every ``tick`` hook runs after each check.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from devices.ports import Printer, PrinterStatus
from kiosk.i18n import N_

log = logging.getLogger(__name__)

NO_PRINTER = N_("This kiosk has no ticket printer. Please take a number at the reception desk.")
OFFLINE = N_("The ticket printer is not working right now. Please take a number at the reception desk.")
PAPER_OUT = N_("The ticket printer has run out of paper. Staff have been told; please ask at the reception desk.")
COVER_OPEN = N_("The ticket printer's cover is open. Staff have been told; please ask at the reception desk.")


@dataclass(frozen=True)
class PrinterState:
    #: A ticket can be printed now (as far as the printer tells).
    can_print: bool
    #: "ok", "near_end", "out" or "unknown".
    paper: str = "unknown"
    #: Why no ticket can be printed, as a message id for the citizen.
    reason: str | None = None
    #: The same for the operator and the staff alert; ``""`` when all is well.
    detail: str = ""
    #: The alert kind staff get for this state, if any.
    alert: str | None = None

    @classmethod
    def of(cls, printer: Printer | None, status: PrinterStatus | None = None) -> "PrinterState":
        if printer is None:
            return cls(False, reason=NO_PRINTER, detail="no printer configured")
        status = status if status is not None else printer.status()
        if status.online is False and status.cover_open is not True:
            return cls(False, status.paper, OFFLINE, "printer offline or unplugged", "printer_offline")
        if status.cover_open:
            return cls(False, status.paper, COVER_OPEN, "printer cover open", "printer_cover_open")
        if status.paper == "out":
            return cls(False, "out", PAPER_OUT, "printer out of paper", "printer_paper_out")
        if status.paper == "near_end":
            return cls(True, "near_end", None, "printer paper near end", "printer_paper_low")
        return cls(True, status.paper)


Listener = Callable[[PrinterState], None]


class PrinterMonitor:
    def __init__(
        self,
        printer: Printer | None,
        *,
        interval_s: float = 10.0,
        alert: Callable[[str, str], object] | None = None,
        heartbeat: Callable[[], object] | None = None,
    ):
        self.printer = printer
        self.interval_s = interval_s
        self.alert = alert
        self.heartbeat = heartbeat
        self.ticks: list[Callable[[], object]] = []
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._state: PrinterState | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def state(self) -> PrinterState:
        """The last state checked; checked now if there is none yet."""
        return self._state if self._state is not None else self.check()

    def peek(self) -> PrinterState:
        """The last state checked, without asking the printer (for the UI thread); before the first
        check, "unknown", which counts as able to print."""
        return self._state if self._state is not None else PrinterState(True, "unknown")

    def check(self) -> PrinterState:
        """Ask the printer now, tell listeners when the state changed, and return it."""
        try:
            state = PrinterState.of(self.printer)
        except Exception as err:  # status() must not raise; if a driver does, treat it as offline
            log.warning("printer status failed: %s", type(err).__name__)
            state = PrinterState(False, "unknown", OFFLINE, f"status failed ({type(err).__name__})", "printer_offline")
        with self._lock:
            before, self._state = self._state, state
            listeners = list(self._listeners)
        if state != before:
            self._changed(before, state, listeners)
        return state

    def note(self, status: PrinterStatus | None = None) -> PrinterState:
        """Record what a print attempt just found out (e.g. the paper ran out during a job)."""
        if status is None:
            return self.check()
        state = PrinterState.of(self.printer, status)
        with self._lock:
            before, self._state = self._state, state
            listeners = list(self._listeners)
        if state != before:
            self._changed(before, state, listeners)
        return state

    def _changed(self, before: PrinterState | None, state: PrinterState, listeners: list[Listener]) -> None:
        if before is not None or not state.can_print or state.alert:
            log.info("printer: %s", state.detail or "ready")
        if state.alert and (before is None or before.alert != state.alert) and self.alert is not None:
            try:
                self.alert(state.alert, state.detail)
            except Exception as err:  # a full or closed outbox must not stop the check
                log.warning("printer alert not queued: %s", type(err).__name__)
        if before is not None and self.heartbeat is not None:
            try:
                self.heartbeat()
            except Exception as err:
                log.warning("heartbeat not queued: %s", type(err).__name__)
        for listener in listeners:
            try:
                listener(state)
            except Exception as err:
                log.error("printer state listener failed: %s", type(err).__name__)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(state)`` on every change; returns a function that unsubscribes."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    # --- the timer ----------------------------------------------------------------------------------

    def start(self) -> "PrinterMonitor":
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="printer-monitor", daemon=True)
            self._thread.start()
        return self

    def stop(self, wait: float = 5.0) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(wait)
        self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.check()
            for tick in list(self.ticks):
                try:
                    tick()
                except Exception as err:
                    log.error("printer monitor tick failed: %s: %s", type(err).__name__, err)
            self._stop.wait(self.interval_s)
