"""Drawing a new ticket number: the hot path, in plain SQL on the database driver's connection.

A number is drawn from the ``ticket_counters`` row of (center, service, business day) with a single
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in the transaction that also inserts the ticket
and stores the response under the caller's Idempotency-Key. The row lock serializes concurrent
kiosks; a rolled-back transaction gives its number back; a new business day (Vietnam time) starts a
new row, so the daily reset needs no job and survives restarts; the unique constraint on (center,
service, day, sequence) is the last guard. Same rules as ``central.idempotency.run_once``, written
against the DBAPI connection because building and running these statements through the ORM cost
several times the database work itself.

``void_by_key`` takes back the number an issue request drew, named by that request's key: for a kiosk
that lost the answer (killed while waiting, or unable to write it down) and so never learned the
reference. When no number was drawn under the key, the key is kept as used by the void, so the issue
request arriving late (or repeated) is refused with ``idempotency_key_reused`` instead of drawing a
number nobody holds.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid

from fastapi.responses import Response
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from central import tickets
from central.errors import ApiError
from central.idempotency import REPLAY_HEADER, Write
from central.models import Ticket, UtcDateTime
from central.tickets import cached_service_info, format_number, render

_SQL = {
    "find_key": "SELECT principal, method, path, body_sha256, status, body FROM idempotency_keys WHERE key = :key",
    "draw": """INSERT INTO ticket_counters (center_code, service_code, business_day, last_number)
               VALUES (:center, :service, :day, 1)
               ON CONFLICT (center_code, service_code, business_day)
               DO UPDATE SET last_number = ticket_counters.last_number + 1
               RETURNING last_number""",
    "insert": """INSERT INTO tickets (reference, center_code, service_code, issued_service, business_day, seq, number,
                                      priority, status, issued_at, kiosk_id, offline, reprints, recalls, owner_key)
                 VALUES (:reference, :center, :service, :service, :day, :seq, :number, :priority, 'waiting',
                         :issued_at, :kiosk, :offline, 0, 0, :owner_key)
                 RETURNING id""",
    "ahead_priority": """SELECT count(*) FROM tickets WHERE center_code = :center AND service_code = :service
                         AND business_day = :day AND status = 'waiting' AND priority
                         AND (issued_at < :issued_at OR (issued_at = :issued_at AND id < :id))""",
    "ahead_normal": """SELECT count(*) FROM tickets WHERE center_code = :center AND service_code = :service
                       AND business_day = :day AND status = 'waiting'
                       AND (priority OR issued_at < :issued_at OR (issued_at = :issued_at AND id < :id))""",
    "store_key": """INSERT INTO idempotency_keys (key, principal, method, path, body_sha256, status, body, created_at)
                    VALUES (:key, :principal, :method, :path, :body_sha256, 201, :body, :created_at)""",
}
log = logging.getLogger(__name__)
_PYFORMAT = {name: re.sub(r":(\w+)", r"%(\1)s", sql) for name, sql in _SQL.items()}


class _KeyTaken(Exception):
    pass


def _values(dialect: str, day: dt.date, moment: dt.datetime) -> tuple[object, object]:
    if dialect == "sqlite":  # stored as SQLAlchemy stores them there: ISO text, UTC without offset
        return day.isoformat(), moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    return day, moment


def _replay(row, write: Write) -> Response:
    principal, method, path, body_sha256, status, body = row
    if (principal, method, path, body_sha256) != (write.principal.key, write.method, write.path, write.body_sha256):
        raise ApiError(422, "idempotency_key_reused")
    return Response(body.encode("utf-8"), status_code=status, media_type="application/json",
                    headers={REPLAY_HEADER: "true"})


def issue(central, write: Write, service: str, priority: bool, owner_key: str | None = None) -> Response:
    """Issue the next ticket of ``service`` once per Idempotency-Key; answers 201 with the ticket."""
    principal = write.principal
    info = cached_service_info(central, principal.center_code, service)
    db = central.db
    sql = _SQL if db.dialect == "sqlite" else _PYFORMAT
    driver = db.engine.dialect.dbapi
    with db.writer_lock():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            if db.dialect == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            try:
                cursor.execute(sql["find_key"], {"key": write.key})
                stored = cursor.fetchone()
                if stored is not None:
                    connection.rollback()
                    return _replay(stored, write)
                now = central.settings.now()
                day = central.settings.business_day(now)
                day_value, now_value = _values(db.dialect, day, now)
                common = {"center": principal.center_code, "service": service, "day": day_value}
                cursor.execute(sql["draw"], common)
                seq = cursor.fetchone()[0]
                ticket = Ticket(reference=str(uuid.uuid4()), center_code=principal.center_code,
                                service_code=service, issued_service=service, business_day=day, seq=seq,
                                number=format_number(service, seq), priority=priority, status="waiting",
                                issued_at=now, kiosk_id=principal.id, offline=False, reprints=0, recalls=0)
                cursor.execute(sql["insert"], common | {
                    "reference": ticket.reference, "seq": seq, "number": ticket.number, "priority": priority,
                    "issued_at": now_value, "kiosk": principal.id, "offline": False, "owner_key": owner_key})
                ticket.id = cursor.fetchone()[0]
                cursor.execute(sql["ahead_priority" if priority else "ahead_normal"],
                               common | {"id": ticket.id, "issued_at": now_value})
                body = json.dumps(render(ticket, info, cursor.fetchone()[0]), ensure_ascii=False,
                                  separators=(",", ":"))
                try:
                    cursor.execute(sql["store_key"], {
                        "key": write.key, "principal": principal.key, "method": write.method, "path": write.path,
                        "body_sha256": write.body_sha256, "body": body, "created_at": now_value})
                except driver.IntegrityError:
                    raise _KeyTaken() from None
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
        except _KeyTaken:
            cursor.execute(sql["find_key"], {"key": write.key})
            stored = cursor.fetchone()
            connection.rollback()
            if stored is None:
                raise ApiError(409, "request_conflict", headers={"Retry-After": "1"}) from None
            return _replay(stored, write)
        except driver.Error as err:
            log.error("database error while issuing a ticket: %s", type(err).__name__)
            raise ApiError(503, "database_unavailable", headers={"Retry-After": "5"}) from None
        finally:
            connection.close()
    return Response(body.encode("utf-8"), status_code=201, media_type="application/json")


_FIND_KEY = text("SELECT principal, method, path, status, body FROM idempotency_keys WHERE key = :key")
_CLAIM_KEY = text("""
INSERT INTO idempotency_keys (key, principal, method, path, body_sha256, status, body, created_at)
VALUES (:key, :principal, 'POST', :path, '', 200, :body, :created_at)
ON CONFLICT (key) DO NOTHING
""").bindparams(bindparam("created_at", type_=UtcDateTime()))


def find_issued(session: Session, center: str, handle: str) -> Ticket:
    """A ticket of ``center`` by its reference, or by the Idempotency-Key of the request that issued it.

    A ticket drawn offline carries the issuing kiosk's own key in its QR code until that kiosk learns
    the reference; once the kiosk has delivered it, the key names the ticket at every kiosk. Keys are
    random and unguessable, like references: whoever holds the slip may look it up."""
    try:
        return tickets.find(session, center, handle)
    except ApiError as err:
        if err.status != 404:
            raise
        stored = session.execute(_FIND_KEY, {"key": handle}).first()
        if stored is None or stored.method != "POST" or not stored.path.endswith("/tickets") \
                or not 200 <= stored.status < 300:
            raise
        try:
            reference = json.loads(stored.body).get("reference")
        except (ValueError, AttributeError):
            raise err from None
        if not isinstance(reference, str):
            raise
        return tickets.find(session, center, reference)


def void_by_key(central, session: Session, write: Write, issue_key: str, reason: str) -> dict:
    """Void the ticket drawn under ``issue_key`` by this kiosk, or make sure none will be drawn under it.

    Answers ``{"key", "drawn", "ticket"}``: ``drawn`` false (and no ticket) when no number was drawn.
    """
    principal = write.principal
    issue_path = write.path.rsplit("/", 1)[0]  # .../tickets/void-by-key -> .../tickets
    stored = session.execute(_FIND_KEY, {"key": issue_key}).first()
    if stored is None:
        answer = {"key": issue_key, "drawn": False, "ticket": None}
        session.execute(_CLAIM_KEY, {
            "key": issue_key, "principal": principal.key, "path": write.path,
            "body": json.dumps(answer, separators=(",", ":")), "created_at": central.settings.now()})
        stored = session.execute(_FIND_KEY, {"key": issue_key}).first()  # ours, or an issue that just won
    if stored.principal != principal.key or stored.method != "POST":
        raise ApiError(404, "ticket_not_found")
    if stored.path == write.path:
        return {"key": issue_key, "drawn": False, "ticket": None}
    if stored.path != issue_path:
        raise ApiError(404, "ticket_not_found")
    reference = json.loads(stored.body).get("reference")
    if not isinstance(reference, str):
        raise ApiError(404, "ticket_not_found")
    ticket = tickets.find(session, principal.center_code, reference, lock=True)
    if ticket.status in ("waiting", "called"):
        return {"key": issue_key, "drawn": True,
                "ticket": tickets.void(central, session, principal.center_code, reference, reason)}
    return {"key": issue_key, "drawn": True, "ticket": tickets.view(central, session, ticket)}
