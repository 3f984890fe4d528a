"""What counter staff do with tickets: call the next citizen, recall, served, no-show, transfer.

Calling next takes the first waiting ticket of the services the counter serves (priority first, then
by issue time) and locks it, skipping tickets another counter is calling at the same moment, so two
counters never call the same citizen.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.errors import ApiError
from central.models import Counter, CounterService, Service, Ticket
from central.tickets import find, require_status, service_info, view


def _counter(session: Session, center: str, number: str) -> Counter:
    counter = session.scalars(select(Counter).where(Counter.center_code == center, Counter.number == number)).first()
    if counter is None:
        raise ApiError(404, "unknown_counter", counter=number)
    return counter


def call_next(central, session: Session, center: str, number: str) -> dict:
    counter = _counter(session, center, number)
    services = select(Service.code).join(CounterService, CounterService.service_id == Service.id).where(
        CounterService.counter_id == counter.id, Service.active)
    day = central.settings.business_day()
    stmt = (
        select(Ticket)
        .where(Ticket.center_code == center, Ticket.business_day == day, Ticket.status == "waiting",
               Ticket.service_code.in_(services))
        .order_by(Ticket.priority.desc(), Ticket.issued_at, Ticket.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    ticket = session.scalars(stmt).first()
    if ticket is None:
        raise ApiError(404, "queue_empty")
    ticket.status = "called"
    ticket.counter = counter.number
    ticket.called_at = central.settings.now()
    return view(central, session, ticket)


def recall(central, session: Session, center: str, reference: str) -> dict:
    ticket = find(session, center, reference, lock=True)
    require_status(ticket, "called")
    ticket.recalls += 1
    return view(central, session, ticket) | {"recalls": ticket.recalls}


def finish(central, session: Session, center: str, reference: str, outcome: str) -> dict:
    ticket = find(session, center, reference, lock=True)
    require_status(ticket, "called")
    ticket.status = outcome
    ticket.finished_at = central.settings.now()
    central.wait_cache.pop((center, ticket.service_code), None)
    return view(central, session, ticket)


def transfer(central, session: Session, center: str, reference: str, service: str) -> dict:
    ticket = find(session, center, reference, lock=True)
    require_status(ticket, "waiting", "called")
    service_info(central, session, center, service)
    if service != ticket.service_code:
        ticket.transferred_from = ticket.service_code
        ticket.service_code = service
    ticket.status = "waiting"
    ticket.counter = None
    ticket.called_at = None
    session.flush()
    return view(central, session, ticket) | {"transferred_from": ticket.transferred_from}
