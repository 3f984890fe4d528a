"""Queue tickets: the live queue position and wait, offline tickets, voiding and reprinting.

New numbers are drawn in ``central.issuing``. Queue order: priority tickets first, then by issue
time. Offline tickets reported later join the queue at the time the kiosk issued them.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import Date, bindparam, select, text
from sqlalchemy.orm import Session

from central.errors import ApiError
from central.models import Counter, CounterService, Service, Ticket, UtcDateTime
from central.settings import VIETNAM

@dataclass(frozen=True)
class ServiceInfo:
    code: str
    default_minutes: int
    counters: tuple[str, ...]
    minutes_per_citizen: float


def format_number(service: str, seq: int) -> str:
    return f"{service}{seq:03d}"


def service_info(central, session: Session, center: str, code: str) -> ServiceInfo:
    key = (center, code)
    cached = central.wait_cache.get(key)
    if cached and cached[1] > time.monotonic():
        return cached[0]
    service = session.execute(
        select(Service.id, Service.code, Service.default_minutes)
        .where(Service.center_code == center, Service.code == code, Service.active)
    ).first()
    if service is None:
        raise ApiError(422, "unknown_service", code=code)
    counters = tuple(sorted(session.scalars(
        select(Counter.number).join(CounterService, CounterService.counter_id == Counter.id)
        .where(CounterService.service_id == service.id)
    ), key=lambda n: (len(n), n)))
    settings = central.settings
    since = settings.now() - dt.timedelta(days=settings.wait_sample_days)
    recent = session.execute(
        select(Ticket.called_at, Ticket.finished_at)
        .where(Ticket.center_code == center, Ticket.service_code == code, Ticket.status == "served",
               Ticket.finished_at >= since, Ticket.called_at.is_not(None))
        .order_by(Ticket.finished_at.desc()).limit(settings.wait_sample)
    ).all()
    durations = [(r.finished_at - r.called_at).total_seconds() / 60 for r in recent]
    durations = [d for d in durations if d >= 0]
    minutes = sum(durations) / len(durations) if durations else float(service.default_minutes)
    info = ServiceInfo(code, service.default_minutes, counters, minutes)
    if settings.wait_cache_s > 0:
        central.wait_cache[key] = (info, time.monotonic() + settings.wait_cache_s)
    return info


AHEAD_SQL = """
SELECT count(*) FROM tickets
WHERE center_code = :center AND service_code = :service AND business_day = :day AND status = 'waiting'
  AND {before}
"""
EARLIER = "(issued_at < :issued_at OR (issued_at = :issued_at AND id < :id))"
_AHEAD = {
    priority: text(AHEAD_SQL.format(before=f"priority AND {EARLIER}" if priority else f"(priority OR {EARLIER})"))
    .bindparams(bindparam("day", type_=Date()), bindparam("issued_at", type_=UtcDateTime()))
    for priority in (True, False)
}


def _ahead(session: Session, ticket) -> int:
    """How many waiting tickets of the same queue will be called before ``ticket``."""
    if ticket.status != "waiting":
        return 0
    return session.execute(_AHEAD[bool(ticket.priority)], {
        "center": ticket.center_code, "service": ticket.service_code, "day": ticket.business_day,
        "issued_at": ticket.issued_at, "id": ticket.id}).scalar_one()


def view(central, session: Session, ticket) -> dict:
    info = service_info(central, session, ticket.center_code, ticket.service_code)
    return render(ticket, info, _ahead(session, ticket))


def render(ticket, info: ServiceInfo, position: int) -> dict:
    """The contract's ticket answer for ``ticket`` with ``position`` people ahead of it."""
    wait = math.ceil(position * info.minutes_per_citizen / max(1, len(info.counters)))
    counter = ticket.counter or (info.counters[0] if info.counters else None)
    return {
        "reference": ticket.reference,
        "number": ticket.number,
        "service": ticket.service_code,
        "counter": counter,
        "counters": list(info.counters),
        "issued_at": ticket.issued_at.astimezone(VIETNAM).isoformat(),
        "business_day": ticket.business_day.isoformat(),
        "position": position,
        "estimated_wait_minutes": wait,
        "priority": bool(ticket.priority),
        "status": ticket.status,
        "offline": bool(ticket.offline),
        "reprints": ticket.reprints,
        "called_at": ticket.called_at.astimezone(VIETNAM).isoformat() if ticket.called_at else None,
    }


def cached_service_info(central, center: str, code: str) -> ServiceInfo:
    """The service's counters and current minutes per citizen (cached); 422 for unknown services."""
    cached = central.wait_cache.get((center, code))
    if cached and cached[1] > time.monotonic():
        return cached[0]
    with central.db.read() as session:
        return service_info(central, session, center, code)


def record_offline(central, session: Session, principal, service: str, priority: bool, number: str,
                   issued_at: dt.datetime, owner_key: str | None = None) -> dict:
    """Record a ticket a kiosk numbered itself while offline; new numbers are drawn in ``issuing``."""
    service_info(central, session, principal.center_code, service)  # refuses unknown services
    day = central.settings.business_day(issued_at)
    existing = session.scalars(select(Ticket).where(
        Ticket.center_code == principal.center_code, Ticket.business_day == day, Ticket.number == number)).first()
    if existing is not None:
        if existing.kiosk_id == principal.id and existing.issued_at == issued_at and existing.offline:
            return view(central, session, existing)
        raise ApiError(409, "offline_number_taken", number=number)
    ticket = Ticket(reference=str(uuid.uuid4()), center_code=principal.center_code, service_code=service,
                    issued_service=service, business_day=day, seq=None, number=number, priority=priority,
                    status="waiting", issued_at=issued_at, kiosk_id=principal.id, offline=True,
                    reprints=0, recalls=0, owner_key=owner_key)
    session.add(ticket)
    session.flush()
    return view(central, session, ticket)


def find(session: Session, center: str, reference: str, lock: bool = False) -> Ticket:
    stmt = select(Ticket).where(Ticket.reference == reference, Ticket.center_code == center)
    if lock:
        stmt = stmt.with_for_update()
    ticket = session.scalars(stmt).first()
    if ticket is None:
        raise ApiError(404, "ticket_not_found")
    return ticket


def require_status(ticket: Ticket, *statuses: str) -> None:
    if ticket.status not in statuses:
        raise ApiError(409, "invalid_ticket_state", status=ticket.status)


def void(central, session: Session, center: str, reference: str, reason: str) -> dict:
    ticket = find(session, center, reference, lock=True)
    if ticket.status != "voided":
        require_status(ticket, "waiting", "called")
        ticket.status = "voided"
        ticket.void_reason = reason
        ticket.finished_at = central.settings.now()
    return view(central, session, ticket)


def reprint(central, session: Session, center: str, reference: str) -> dict:
    ticket = find(session, center, reference, lock=True)
    require_status(ticket, "waiting", "called")
    ticket.reprints += 1
    return view(central, session, ticket)


def queue(central, session: Session, center: str, service: str | None = None) -> list[dict]:
    day = central.settings.business_day()
    stmt = (select(Ticket).where(Ticket.center_code == center, Ticket.business_day == day,
                                 Ticket.status == "waiting")
            .order_by(Ticket.priority.desc(), Ticket.issued_at, Ticket.id))
    if service:
        stmt = stmt.where(Ticket.service_code == service)
    return [
        {"reference": t.reference, "number": t.number, "service": t.service_code, "priority": bool(t.priority),
         "issued_at": t.issued_at.astimezone(VIETNAM).isoformat(), "offline": bool(t.offline)}
        for t in session.scalars(stmt)
    ]
