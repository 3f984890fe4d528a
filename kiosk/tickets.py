"""Queue tickets: drawn by the central service, or by the kiosk itself when the service is out of reach.

``issue`` asks the central service for a number within a short timeout. When the service cannot be
reached (or does not answer in time) the kiosk draws the next number of its own range, ``K1-A001``: the
kiosk's prefix from config, a hyphen, the service letter and a three-digit count. Central numbers never
carry a hyphen and every kiosk has its own prefix, so the ranges cannot meet. The count is kept in the
outbox database per day (Asia/Ho_Chi_Minh) and service, and is drawn in the same transaction that
queues the ticket's report to the central service: a restart never reuses a number and never loses a
report. A request that may have reached the service before it went quiet is voided there later, so the
number it may have drawn does not wait in the queue for nobody.

Every issue request is written down before it is sent and crossed out with its outcome, so a number
drawn for a request whose answer was lost (or could not be recorded) is voided by key later
(``kiosk.ticket_requests``). A number the kiosk got but could not record is voided at once over HTTP
as well.

Voids (a slip that did not print) and reprints are reported through the outbox too. Printing is not
done here.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from kiosk.api.client import CentralClient, new_key
from kiosk.api.errors import BadAnswer, CentralError, CentralUnavailable, Rejected
from kiosk.i18n import N_
from kiosk.outbox.store import Job, Outbox
from kiosk.sync import SyncStatus
from kiosk.ticket_requests import IssueRequests, void_key

log = logging.getLogger(__name__)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SERVICE_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,3}$")
KEEP_DAYS = 7

MSG_UNKNOWN_SERVICE = N_("This service is not offered here. Please choose another service or ask the staff.")
MSG_REFUSED = N_("The kiosk cannot issue a number right now. Please ask the staff at the reception desk.")
#: Job keys of the voids queued for left-over requests: one per request, however often it is settled.
MSG_NO_SERVICES = N_("The kiosk cannot show the services right now. Please ask the staff at the reception desk.")

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS tickets_offline_counters (
        day TEXT NOT NULL,
        service TEXT NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (day, service)
    )""",
    """CREATE TABLE IF NOT EXISTS tickets_issued (
        issue_key TEXT PRIMARY KEY,
        number TEXT NOT NULL,
        service TEXT NOT NULL,
        priority INTEGER NOT NULL,
        day TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        offline INTEGER NOT NULL,
        body TEXT NOT NULL,
        reference TEXT,
        counter TEXT,
        status TEXT NOT NULL,
        reprints INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE IF NOT EXISTS tickets_services (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        body TEXT NOT NULL,
        fetched_at TEXT NOT NULL
    )""",
)


class TicketError(Exception):
    """No ticket could be issued or changed. ``str()`` is for the operator; ``citizen_message`` is the
    message id the screen shows."""

    def __init__(self, operator: str, citizen_message: str = MSG_REFUSED):
        super().__init__(operator)
        self.citizen_message = citizen_message


@dataclass(frozen=True)
class Ticket:
    #: The idempotency key its issue was sent with: the kiosk's own handle on the ticket.
    key: str
    number: str
    service: str
    priority: bool
    issued_at: dt.datetime
    #: Drawn by the kiosk from its own range because the service could not be reached.
    offline: bool
    reference: str | None = None
    counter: str | None = None
    position: int | None = None
    estimated_wait_minutes: int | None = None
    status: str = "waiting"
    reprints: int = 0


#: Called with the ledger's connection inside the transaction that records a new ticket.
Recorder = Callable[[sqlite3.Connection, "Ticket"], None]


def offline_number(prefix: str, service: str, count: int) -> str:
    return f"{prefix}-{service}{count:03d}"


class Tickets:
    def __init__(
        self,
        client: CentralClient,
        outbox: Outbox,
        sync: SyncStatus,
        *,
        prefix: str,
        timeout: tuple[float, float] = (2.0, 5.0),
        recheck_s: float = 15.0,
        wake: Callable[[], None] | None = None,
        now: Callable[[], dt.datetime] | None = None,
    ):
        self.client = client
        self.outbox = outbox
        self.sync = sync
        self.prefix = prefix
        self.timeout = timeout
        self.recheck_s = recheck_s
        self.wake = wake or (lambda: None)
        self.now = now or (lambda: dt.datetime.now(TZ))
        self.requests = IssueRequests(outbox, wake=lambda: self.wake())
        with outbox.transaction() as conn:
            for statement in SCHEMA:
                conn.execute(statement)
            cutoff = (self._today() - dt.timedelta(days=KEEP_DAYS)).isoformat()
            conn.execute("DELETE FROM tickets_offline_counters WHERE day < ?", (cutoff,))
            conn.execute("DELETE FROM tickets_issued WHERE day < ?", (cutoff,))
        self.settle_requests()

    def close(self) -> None:
        """End this run: let go of its lock, so a later run settles what it left written down."""
        self.requests.close()

    def _today(self) -> dt.date:
        return self.now().astimezone(TZ).date()

    def _try_online(self) -> bool:
        return not self.sync.failed_within(self.recheck_s)

    # --- services ---------------------------------------------------------------------------------

    def services(self) -> list[dict]:
        """The services a citizen can take a number for: fresh from the service, else the last known."""
        if self._try_online():
            try:
                services = self.client.services()
            except CentralUnavailable:
                pass
            except CentralError as err:
                log.warning("cannot list services: %s", err)
            else:
                with self.outbox.transaction() as conn:
                    conn.execute(
                        "INSERT INTO tickets_services (id, body, fetched_at) VALUES (1, ?, ?) "
                        "ON CONFLICT (id) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
                        (json.dumps(services, ensure_ascii=False), self.now().isoformat()),
                    )
                return services
        cached = self._cached_services()
        if cached is None:
            raise TicketError("no list of services yet: the central service has never been reached", MSG_NO_SERVICES)
        return cached

    def _cached_services(self) -> list[dict] | None:
        with self.outbox.reading() as conn:
            row = conn.execute("SELECT body FROM tickets_services WHERE id = 1").fetchone()
        return json.loads(row[0]) if row else None

    # --- issuing ----------------------------------------------------------------------------------

    def issue(self, service: str, priority: bool = False, *, on_record: Recorder | None = None) -> Ticket:
        """A ticket for ``service``: from the central service if it answers in time, else offline.

        ``on_record(conn, ticket)`` runs inside the transaction that records the ticket in the kiosk's
        ledger, so what it writes there commits with the ticket or not at all.
        """
        service = service.strip().upper() if isinstance(service, str) else ""
        if not SERVICE_CODE.match(service):
            raise TicketError(f"not a service code: {service!r}", MSG_UNKNOWN_SERVICE)
        key = new_key()
        body = CentralClient.ticket_body(service, priority)
        abandoned = None
        if self._try_online():
            self._note_request(key, body)
            try:
                answer = self.client.issue_ticket(body, key, timeout=self.timeout)
            except Rejected as err:
                if not err.retryable:
                    self.requests.forget(key)
                    raise TicketError(f"central service refused a ticket: {err}", _citizen_message(err)) from err
                abandoned = (key, body) if err.status == 409 else None
            except CentralUnavailable as err:
                abandoned = (key, body) if err.sent else None
            except BadAnswer:
                abandoned = (key, body)
            except BaseException:
                self.requests.done(key)  # left written down: settled as a request nobody answered
                raise
            else:
                return self._record_online(key, body, answer, on_record)
            if abandoned is None:
                self.requests.forget(key)  # never sent: no number was drawn
        return self._issue_offline(service, bool(priority), abandoned, on_record)

    def _note_request(self, key: str, body: dict) -> None:
        """Write the request down before it is sent, so its number can be voided if the answer is lost."""
        try:
            self.requests.note(key, body, self.now().isoformat())
        except sqlite3.Error as err:
            raise TicketError(f"cannot write the ticket request down, nothing was sent: {err}") from err

    def _record_online(self, key: str, body: dict, answer: dict, on_record: Recorder | None = None) -> Ticket:
        ticket = Ticket(
            key=key,
            number=str(answer["number"]),
            service=str(answer.get("service") or body["service"]),
            priority=bool(answer.get("priority", body["priority"])),
            issued_at=_parse_time(answer.get("issued_at")) or self.now(),
            offline=False,
            reference=answer.get("reference"),
            counter=answer.get("counter"),
            position=_int_or_none(answer.get("position")),
            estimated_wait_minutes=_int_or_none(answer.get("estimated_wait_minutes")),
            status=str(answer.get("status") or "waiting"),
        )
        try:
            with self.outbox.transaction() as conn:
                self._ledger_insert(conn, ticket, body)
                if on_record is not None:
                    on_record(conn, ticket)
                self.requests.cross_out(conn, key)
        except Exception as err:
            self.requests.done(key)
            self._void_unrecorded(ticket, err)
            raise TicketError(f"ticket {ticket.number} could not be recorded ({type(err).__name__}: {err}); "
                              "it is voided") from err
        self.requests.done(key)
        return ticket

    def _void_unrecorded(self, ticket: Ticket, err: Exception) -> None:
        """Void at once a number the service drew but the kiosk could not write down: nobody holds it.

        Its request stays written down (the transaction that would have crossed it out failed), so if
        this void cannot be sent either, ``settle_requests`` voids it by key later.
        """
        log.error("ticket %s drawn but not recorded (%s); voiding it", ticket.number, type(err).__name__)
        if ticket.reference:
            try:
                self.client.void_ticket(ticket.reference, "not_recorded", new_key())
            except CentralError as void_err:
                log.warning("ticket %s not voided yet (%s); it is voided by key later", ticket.number, void_err)
                return
        self.requests.forget(ticket.key)

    def settle_requests(self) -> int:
        """Queue a void by key for every issue request left without an answer (``kiosk.ticket_requests``);
        returns how many."""
        return self.requests.settle()

    def _issue_offline(self, service: str, priority: bool, abandoned: tuple[str, dict] | None,
                       on_record: Recorder | None = None) -> Ticket:
        cached = self._cached_services()
        if cached is not None and service not in {str(s.get("code")) for s in cached if isinstance(s, dict)}:
            raise TicketError(f"service {service} is not in the last known list of services", MSG_UNKNOWN_SERVICE)
        now = self.now().astimezone(TZ).replace(microsecond=0)
        key = new_key()
        with self.outbox.transaction() as conn:
            count = conn.execute(
                """INSERT INTO tickets_offline_counters (day, service, last) VALUES (?, ?, 1)
                   ON CONFLICT (day, service) DO UPDATE SET last = last + 1 RETURNING last""",
                (now.date().isoformat(), service),
            ).fetchall()[0][0]
            number = offline_number(self.prefix, service, count)
            body = CentralClient.ticket_body(service, priority, number, now.isoformat())
            ticket = Ticket(key=key, number=number, service=service, priority=priority, issued_at=now, offline=True)
            self.outbox.enqueue("ticket", {"body": body}, key=key, conn=conn)
            if abandoned is not None:
                old_key, _old_body = abandoned
                payload = {"issue_key": old_key, "reason": "issued_offline", "by_key": True}
                self.outbox.enqueue("ticket_void", payload, key=void_key(old_key), conn=conn)
                self.requests.cross_out(conn, old_key)
            self._ledger_insert(conn, ticket, body)
            if on_record is not None:
                on_record(conn, ticket)
        if abandoned is not None:
            self.requests.done(abandoned[0])
        log.info("issued offline ticket %s", number)
        self.wake()
        return ticket

    def _ledger_insert(self, conn: sqlite3.Connection, ticket: Ticket, body: dict) -> None:
        conn.execute(
            """INSERT INTO tickets_issued (issue_key, number, service, priority, day, issued_at, offline, body,
                   reference, counter, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (ticket.key, ticket.number, ticket.service, int(ticket.priority),
             ticket.issued_at.astimezone(TZ).date().isoformat(), ticket.issued_at.isoformat(),
             int(ticket.offline), json.dumps(body, ensure_ascii=False), ticket.reference, ticket.counter,
             ticket.status),
        )

    # --- after issuing ----------------------------------------------------------------------------

    def get(self, key: str) -> Ticket | None:
        """The ticket as the kiosk last knew it, by its key."""
        with self.outbox.reading() as conn:
            row = conn.execute("SELECT * FROM tickets_issued WHERE issue_key = ?", (key,)).fetchone()
        return _ticket_from_row(row) if row else None

    def find(self, handle: str) -> Ticket | None:
        """A ticket this kiosk issued, by its key or its central reference (what its QR code names)."""
        with self.outbox.reading() as conn:
            row = conn.execute(
                "SELECT * FROM tickets_issued WHERE issue_key = ? OR reference = ? ORDER BY rowid DESC LIMIT 1",
                (handle, handle),
            ).fetchone()
        return _ticket_from_row(row) if row else None

    def issued_today(self) -> list[Ticket]:
        with self.outbox.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM tickets_issued WHERE day = ? ORDER BY rowid", (self._today().isoformat(),)
            ).fetchall()
        return [_ticket_from_row(row) for row in rows]

    def void(self, ticket: Ticket, reason: str = "print_failed") -> Ticket:
        """Void ``ticket`` at the central service (through the outbox), e.g. when its slip did not print."""
        return self._report(ticket, "ticket_void", reason)

    def reprint(self, ticket: Ticket) -> Ticket:
        """Count a reprint of ``ticket`` at the central service (through the outbox)."""
        return self._report(ticket, "ticket_reprint", None)

    def _report(self, ticket: Ticket, kind: str, reason: str | None) -> Ticket:
        with self.outbox.transaction() as conn:
            row = conn.execute(
                "SELECT body, reference, status FROM tickets_issued WHERE issue_key = ?", (ticket.key,)
            ).fetchone()
            if row is None:
                raise TicketError(f"ticket {ticket.number} is not one this kiosk issued in the last days")
            body, reference, status = json.loads(row[0]), row[1], row[2]
            if status == "voided":
                return self.get(ticket.key)  # type: ignore[return-value]
            payload = {"issue_key": ticket.key, "body": body, "reference": reference}
            if kind == "ticket_void":
                payload["reason"] = reason
                conn.execute("UPDATE tickets_issued SET status = 'voided' WHERE issue_key = ?", (ticket.key,))
            else:
                conn.execute("UPDATE tickets_issued SET reprints = reprints + 1 WHERE issue_key = ?", (ticket.key,))
            self.outbox.enqueue(kind, payload, conn=conn)
        self.wake()
        return self.get(ticket.key)  # type: ignore[return-value]

    def refresh(self, ticket: Ticket) -> Ticket:
        """The ticket with its live queue position; as last known while the service is out of reach."""
        known = self.get(ticket.key) or ticket
        if not known.reference:
            return known
        try:
            answer = self.client.ticket(known.reference)
        except CentralUnavailable:
            return known
        updated = replace(
            known,
            status=str(answer.get("status") or known.status),
            counter=answer.get("counter") or known.counter,
            position=_int_or_none(answer.get("position")),
            estimated_wait_minutes=_int_or_none(answer.get("estimated_wait_minutes")),
        )
        with self.outbox.transaction() as conn:
            conn.execute("UPDATE tickets_issued SET status = ?, counter = ? WHERE issue_key = ?",
                         (updated.status, updated.counter, known.key))
        return updated

    def reported(self, job: Job, answer: object) -> None:
        """Outbox listener: the central service recorded a ticket this kiosk issued (offline or not)."""
        if not isinstance(answer, dict) or not answer.get("reference"):
            return
        with self.outbox.transaction() as conn:
            conn.execute(
                "UPDATE tickets_issued SET reference = ?, counter = COALESCE(?, counter) WHERE issue_key = ?",
                (answer["reference"], answer.get("counter"), job.key),
            )

    def attach(self, worker) -> None:
        """Follow the delivery of this kiosk's ticket reports (``worker`` is the outbox's)."""
        worker.on_delivered("ticket", self.reported)
        self.wake = worker.wake


def _citizen_message(err: Rejected) -> str:
    if err.status in (404, 422) and "service" in err.code:
        return MSG_UNKNOWN_SERVICE
    return MSG_REFUSED


def _parse_time(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ticket_from_row(row) -> Ticket:
    return Ticket(
        key=row["issue_key"],
        number=row["number"],
        service=row["service"],
        priority=bool(row["priority"]),
        issued_at=dt.datetime.fromisoformat(row["issued_at"]),
        offline=bool(row["offline"]),
        reference=row["reference"],
        counter=row["counter"],
        status=row["status"],
        reprints=row["reprints"],
    )
