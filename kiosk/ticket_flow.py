"""Taking a queue number at the kiosk: issue it, print it, and never leave a number nobody holds.

``TicketDesk.take(service, priority, language)`` checks that a ticket can be printed, draws the number
(``kiosk.tickets``: from the central service, or offline), prints the slip and says how it went:

* printed: the citizen has the slip; ``reprint`` prints a copy within ``reprint_s`` seconds (the
  central service counts it);
* the printer failed (paper out, cover open, offline, unplugged mid-job): staff are alerted through the
  outbox at once and the number is held for ``hold_s`` seconds. ``retry`` prints it when the fault is
  cleared; otherwise ``abandon`` (the citizen leaves, the visit ends) or the periodic ``expire`` voids
  it at the central service, so nobody waits for a number that was never handed out;
* no printer can print and ``kiosk.show_ticket_without_printer`` allows it: the number stays valid and
  is shown on screen with its QR code, for the citizen to photograph.

The print state of each ticket is kept in the outbox database (``ticket_prints``), written in the same
transaction that records the ticket: after a crash between drawing a number and printing it, the
number is voided when its hold runs out, like any other that was not printed.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from devices.errors import DeviceDisconnected, DeviceError, PaperOut
from devices.ports import Printer
from kiosk.api.errors import CentralError, CentralUnavailable, NotFound
from kiosk.config import Config
from kiosk.i18n import N_
from kiosk.identity.scanner import Scanner
from kiosk.outbox import Outbox, queue_alert
from kiosk.printing.job import SlipJob
from kiosk.printing.monitor import PrinterMonitor, PrinterState
from kiosk.printing.ticket import TicketSlip, slip_for, ticket_job
from kiosk.references import ScannedReference
from kiosk.references import parse as parse_reference
from kiosk.tickets import TZ, Ticket, TicketError, Tickets

log = logging.getLogger(__name__)

HOLD_S = 120.0
REPRINT_S = 120.0

MSG_PAPER_OUT = N_("The printer ran out of paper before your ticket came out. Staff have been called. "
                   "Please wait a moment, then touch \"Try again\".")
MSG_PRINT_FAILED = N_("Your ticket could not be printed. Staff have been called. "
                      "Please wait a moment, then touch \"Try again\".")
MSG_TORN = N_("The printer stopped in the middle of your ticket. Staff have been called. "
              "Do not use a torn ticket; touch \"Try again\" when the printer is back.")
MSG_VOIDED = N_("Your number {number} was cancelled because it could not be printed. "
                "Please take a new number or ask at the reception desk.")
MSG_ON_SCREEN = N_("The ticket cannot be printed, but your number is valid. "
                   "Take a photo of this screen or remember your number.")
MSG_REPRINT_LATE = N_("A copy can only be printed right after the ticket. Please ask at the reception desk.")
MSG_REPRINT_FAILED = N_("The copy could not be printed. Staff have been called; keep the ticket you have.")
MSG_UNKNOWN_TICKET = N_("This ticket is not known here. Please ask at the reception desk.")
MSG_SEARCH_OFFLINE = N_("Searching needs the connection to the center. Please choose a service instead.")
MSG_LOOKUP_OFFLINE = N_("The queue cannot be checked right now. Please watch the screens in the hall.")

SCHEMA = """CREATE TABLE IF NOT EXISTS ticket_prints (
    issue_key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    hold_until TEXT NOT NULL,
    fault TEXT,
    updated_at TEXT NOT NULL
)"""
#: Print states: ``pending`` (drawn), ``printing``, ``printed``, ``failed`` (held for a retry), ``shown``
#: (on screen only), ``voided``. One that stays in these past its hold is voided (also after a crash).
UNSETTLED = ("pending", "printing", "failed")


@dataclass(frozen=True)
class Availability:
    #: A number can be taken now.
    can_take: bool
    #: It will be printed (otherwise shown on screen, when config allows).
    prints: bool
    #: Why not (a message id for the citizen), when ``prints`` is false.
    reason: str | None = None


@dataclass
class IssuedTicket:
    """A number taken at this kiosk, as the ticket screens follow it."""

    ticket: Ticket
    slip: TicketSlip
    language: str
    #: ``printed``, ``failed`` (held for a retry), ``shown`` (on screen only) or ``voided``.
    state: str
    #: A message id for the citizen when something went wrong (format with ``number``).
    message: str | None = None
    #: What went wrong, for the operator.
    fault: str | None = None
    #: Part of the slip may have come out before the printer stopped.
    torn: bool = False
    retry_until: float | None = None
    reprint_until: float | None = None
    job: SlipJob | None = None
    copies: int = 0

    @property
    def number(self) -> str:
        return self.ticket.number


class TicketDesk:
    def __init__(
        self,
        config: Config,
        tickets: Tickets,
        outbox: Outbox,
        printer: Printer | None,
        monitor: PrinterMonitor | None = None,
        *,
        hold_s: float = HOLD_S,
        reprint_s: float = REPRINT_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.config = config
        self.tickets = tickets
        self.outbox = outbox
        self.printer = printer
        self.monitor = monitor or PrinterMonitor(printer)
        self.hold_s = hold_s
        self.reprint_s = reprint_s
        self.clock = clock
        self._services: dict[str, dict] = {}
        self._lock = threading.Lock()
        with outbox.transaction() as conn:
            conn.execute(SCHEMA)

    # --- before a number is taken ---------------------------------------------------------------------

    def availability(self, state: PrinterState | None = None) -> Availability:
        state = state or self.monitor.state
        if state.can_print:
            return Availability(True, True)
        return Availability(self.config.kiosk.show_ticket_without_printer, False, state.reason)

    def services(self) -> list[dict]:
        """The services a number can be taken for (``GET /api/v1/services``, or the last known list)."""
        services = [s for s in self.tickets.services() if isinstance(s, dict) and s.get("code")]
        with self._lock:
            self._services = {str(s["code"]): s for s in services}
        return services

    def service(self, code: str) -> dict:
        with self._lock:
            known = self._services.get(code)
        if known is None:
            try:
                self.services()
            except TicketError as err:
                log.info("service names unavailable: %s", err)
            with self._lock:
                known = self._services.get(code)
        return known or {"code": code, "name": {}, "counters": []}

    def service_name(self, code: str, language: str) -> str:
        """The service's name in ``language``; ``""`` while the list of services is not known."""
        names = self.service(code).get("name") or {}
        return names.get(language) or names.get("vi") or ""

    def procedures(self, query: str = "") -> list[dict]:
        """Procedures whose code or name holds every word of ``query`` (diacritics optional), with their
        service; a citizen who knows the procedure finds the service to take a number for."""
        try:
            found = self.tickets.client.procedures(q=query.strip() or None)
        except CentralUnavailable as err:
            raise TicketError(f"cannot search procedures: {err}", MSG_SEARCH_OFFLINE) from None
        except CentralError as err:
            raise TicketError(f"procedure search refused: {err}", MSG_SEARCH_OFFLINE) from None
        return [p for p in found if isinstance(p, dict) and p.get("service")]

    # --- taking a number ------------------------------------------------------------------------------

    def take(self, service: str, priority: bool = False, language: str = "vi") -> IssuedTicket:
        """Draw a number for ``service`` and print it. Raises ``TicketError`` when none can be taken."""
        available = self.availability()
        if not available.can_take:
            raise TicketError("no ticket can be printed now: " + self.monitor.state.detail,
                              available.reason or MSG_PRINT_FAILED)
        ticket = self.tickets.issue(service, priority, on_record=self._record_pending)
        issued = IssuedTicket(ticket, self._slip(ticket, language), language, "pending")
        if not available.prints:
            self._settle(issued, "shown", MSG_ON_SCREEN, self.monitor.state.detail)
            return issued
        return self._print(issued, "pending")

    def retry(self, issued: IssuedTicket) -> IssuedTicket:
        """Print a held number again; voids it instead when its hold has run out."""
        if issued.state != "failed":
            return issued
        if issued.retry_until is not None and self.clock() > issued.retry_until:
            return self.abandon(issued)
        torn = issued.torn
        self._print(issued, "failed")
        if issued.state == "printed" and torn:
            self.tickets.reprint(issued.ticket)  # part of an earlier slip came out: count this one as a copy
        return issued

    def reprint(self, issued: IssuedTicket) -> IssuedTicket:
        """A copy of a printed ticket, within ``reprint_s`` seconds of printing it."""
        if issued.state != "printed" or issued.reprint_until is None or self.clock() > issued.reprint_until:
            issued.message = MSG_REPRINT_LATE
            return issued
        slip = replace(self._slip(issued.ticket, issued.language), copy=True)
        try:
            job = self._send(slip, issued.language)
        except DeviceError as err:
            issued.message, issued.fault = MSG_REPRINT_FAILED, str(err)
            self._alert("print_failed", f"copy of ticket {issued.number}: {err}")
            self.monitor.check()
            return issued
        issued.job, issued.message, issued.fault = job, None, None
        issued.copies += 1
        self.tickets.reprint(issued.ticket)
        return issued

    def abandon(self, issued: IssuedTicket | None) -> IssuedTicket | None:
        """The citizen left without a printed slip: void a held number."""
        if issued is None or issued.state not in ("pending", "failed"):
            return issued
        if self._claim(issued.ticket.key, ("pending", "failed"), "voiding"):
            self._void(issued.ticket, "print_failed")
        if self._state(issued.ticket.key) in ("voiding", "voided"):
            issued.state, issued.message, issued.retry_until = "voided", MSG_VOIDED, None
        return issued

    def expire(self) -> int:
        """Void every number whose print did not succeed within its hold (also after a crash), and every
        number drawn for a request whose answer was lost (``Tickets.settle_requests``)."""
        self.tickets.settle_requests()
        now = dt.datetime.now(TZ)
        with self.outbox.reading() as conn:
            rows = conn.execute(
                "SELECT issue_key, hold_until FROM ticket_prints WHERE state IN (?, ?, ?, 'voiding')", UNSETTLED
            ).fetchall()
        voided = 0
        for row in rows:
            if dt.datetime.fromisoformat(row["hold_until"]) > now:
                continue
            if not self._claim(row["issue_key"], (*UNSETTLED, "voiding"), "voiding"):
                continue  # printed or given up meanwhile
            ticket = self.tickets.get(row["issue_key"])
            if ticket is None:  # older than the ledger keeps
                self._mark(row["issue_key"], "voided", "not in the ledger any more")
                continue
            self._void(ticket, "print_failed")
            voided += 1
        if voided:
            log.info("voided %d ticket(s) that were never printed", voided)
        return voided

    # --- a scanned ticket -------------------------------------------------------------------------------

    def lookup(self, handle: str) -> Ticket:
        """The live state of the ticket a scanned QR code names (``kiosk.references``)."""
        known = self.tickets.find(handle)
        if known is not None:
            return self.tickets.refresh(known)
        try:
            answer = self.tickets.client.ticket(handle)
        except NotFound:
            raise TicketError(f"ticket {handle[:8]}… is not known to the central service", MSG_UNKNOWN_TICKET) from None
        except CentralUnavailable as err:
            raise TicketError(f"cannot look up a ticket: {err}", MSG_LOOKUP_OFFLINE) from None
        except CentralError as err:
            raise TicketError(f"ticket lookup refused: {err}", MSG_UNKNOWN_TICKET) from None
        return Ticket(
            key="", number=str(answer["number"]), service=str(answer.get("service", "")),
            priority=bool(answer.get("priority")), issued_at=_time(answer.get("issued_at")),
            offline=bool(answer.get("offline")), reference=answer.get("reference"), counter=answer.get("counter"),
            position=_int(answer.get("position")), estimated_wait_minutes=_int(answer.get("estimated_wait_minutes")),
            status=str(answer.get("status") or "waiting"), reprints=_int(answer.get("reprints")) or 0,
        )

    # --- inside -----------------------------------------------------------------------------------------

    def _slip(self, ticket: Ticket, language: str) -> TicketSlip:
        service = self.service(ticket.service)
        return slip_for(
            ticket,
            center_name=self.config.center.name,
            service_name=self.service_name(ticket.service, language),
            counters=tuple(str(c) for c in service.get("counters") or ()),
            hotline=self.config.center.hotline,
        )

    def _send(self, slip: TicketSlip, language: str) -> SlipJob:
        if self.printer is None:
            raise DeviceDisconnected("no printer configured")
        job = ticket_job(slip, language, dots=self.printer.dots_per_line, text_mode=self.config.printer.text_mode,
                         profile=getattr(self.printer, "profile", None))
        self.printer.send(job.data)
        return job

    def _print(self, issued: IssuedTicket, expected: str) -> IssuedTicket:
        """Print ``issued``, whose print state is ``expected``; a number voided meanwhile is not printed."""
        if not self._claim(issued.ticket.key, (expected,), "printing"):
            issued.state, issued.message, issued.retry_until = "voided", MSG_VOIDED, None
            return issued
        try:
            issued.job = self._send(issued.slip, issued.language)
        except DeviceError as err:
            torn = isinstance(err, DeviceDisconnected) and self.printer is not None
            self._alert("print_failed", f"ticket {issued.number}: {err}")
            self.monitor.check()
            issued.torn = issued.torn or torn
            if self.config.kiosk.show_ticket_without_printer:
                self._settle(issued, "shown", MSG_ON_SCREEN, str(err))
                return issued
            message = MSG_TORN if torn else MSG_PAPER_OUT if isinstance(err, PaperOut) else MSG_PRINT_FAILED
            self._settle(issued, "failed", message, str(err))
            if issued.retry_until is None:
                issued.retry_until = self.clock() + self.hold_s
            log.warning("ticket %s not printed: %s", issued.number, err)
            return issued
        self._settle(issued, "printed", None, None)
        issued.reprint_until = self.clock() + self.reprint_s
        issued.retry_until = None
        return issued

    def _settle(self, issued: IssuedTicket, state: str, message: str | None, fault: str | None) -> None:
        issued.state, issued.message, issued.fault = state, message, fault
        self._mark(issued.ticket.key, state, fault)

    def _record_pending(self, conn: sqlite3.Connection, ticket: Ticket) -> None:
        hold_until = dt.datetime.now(TZ) + dt.timedelta(seconds=self.hold_s)
        conn.execute(
            "INSERT OR REPLACE INTO ticket_prints (issue_key, state, hold_until, fault, updated_at) "
            "VALUES (?, 'pending', ?, NULL, ?)",
            (ticket.key, hold_until.isoformat(), dt.datetime.now(TZ).isoformat()),
        )

    def _mark(self, key: str, state: str, fault: str | None) -> None:
        now = dt.datetime.now(TZ)
        with self.outbox.transaction() as conn:
            conn.execute("UPDATE ticket_prints SET state = ?, fault = ?, hold_until = ?, updated_at = ? "
                         "WHERE issue_key = ?",
                         (state, fault, (now + dt.timedelta(seconds=self.hold_s)).isoformat(), now.isoformat(), key))

    def _state(self, key: str) -> str | None:
        with self.outbox.reading() as conn:
            row = conn.execute("SELECT state FROM ticket_prints WHERE issue_key = ?", (key,)).fetchone()
        return row["state"] if row else None

    def _claim(self, key: str, states: tuple[str, ...], state: str) -> bool:
        """Move the print state of ``key`` from one of ``states`` to ``state``; ``False`` if it was not in one.

        Printing, voiding and the periodic expiry each claim a number first, so a number is never printed
        and voided at once.
        """
        now = dt.datetime.now(TZ)
        marks = ", ".join("?" * len(states))
        with self.outbox.transaction() as conn:
            changed = conn.execute(
                f"UPDATE ticket_prints SET state = ?, hold_until = ?, updated_at = ? "
                f"WHERE issue_key = ? AND state IN ({marks})",
                (state, (now + dt.timedelta(seconds=self.hold_s)).isoformat(), now.isoformat(), key, *states),
            ).rowcount
        return changed == 1

    def _void(self, ticket: Ticket, reason: str) -> None:
        self.tickets.void(ticket, reason)
        self._mark(ticket.key, "voided", reason)
        log.info("ticket %s voided (%s)", ticket.number, reason)

    def _alert(self, kind: str, detail: str) -> None:
        try:
            queue_alert(self.outbox, kind, "ticket", detail[:1000])
            self.tickets.wake()
        except Exception as err:  # the print failure is reported to the citizen either way
            log.error("staff alert not queued: %s", type(err).__name__)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _time(value: object) -> dt.datetime:
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
        except ValueError:
            pass
    return dt.datetime.now(TZ)


class CodeScanner(Scanner):
    """The scanner loop of the ticket screens: a kiosk slip's QR code (``kiosk.references``) goes to
    ``on_reference``; anything else is read as a CCCD (``on_identity`` / ``on_rejected``)."""

    def __init__(self, reader, *, on_reference: Callable[[ScannedReference], None], **kwargs):
        super().__init__(reader, **kwargs)
        self.on_reference = on_reference

    def handle(self, data: bytes) -> bool:
        scanned = parse_reference(data)
        if scanned is None:
            return super().handle(data)
        self.on_reference(scanned)
        return True
