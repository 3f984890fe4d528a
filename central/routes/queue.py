"""Services and tickets, as kiosks see them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, StrictStr
from sqlalchemy import select

from central import auth, citizens, issuing, tickets
from central.context import Central, get_central
from central.idempotency import Write, kiosk_write, run_once
from central.models import Counter, CounterService, Service
from central.schemas import ERRORS, Body, ServiceOut, TicketIn, TicketOut, VoidIn

router = APIRouter(tags=["queue"])


class VoidByKeyIn(Body):
    #: The Idempotency-Key the kiosk sent ``POST /tickets`` with.
    key: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_-]{8,128}$")]
    reason: Annotated[StrictStr, Field(min_length=1, max_length=60)] = "kiosk_restarted"


class VoidByKeyOut(BaseModel):
    key: str
    #: A number was drawn under the key (and is now voided, unless it was already served or missed).
    drawn: bool
    ticket: TicketOut | None


@router.get("/services", response_model=list[ServiceOut], responses=ERRORS)
def list_services(principal: auth.Principal = Depends(auth.anyone), central: Central = Depends(get_central)):
    """The services a kiosk of the caller's center can issue tickets for; the code is the ticket letter."""
    with central.db.read() as session:
        services = session.scalars(select(Service).where(
            Service.center_code == principal.center_code, Service.active).order_by(Service.code)).all()
        links = session.execute(
            select(CounterService.service_id, Counter.number).join(Counter, Counter.id == CounterService.counter_id)
            .where(Counter.center_code == principal.center_code)).all()
    counters: dict[int, list[str]] = {}
    for service_id, number in links:
        counters.setdefault(service_id, []).append(number)
    return [
        {"code": s.code, "name": {"vi": s.name_vi, "en": s.name_en}, "field": s.field, "icon": s.icon,
         "counters": sorted(counters.get(s.id, []), key=lambda n: (len(n), n))}
        for s in services
    ]


@router.post("/tickets", status_code=201, response_model=TicketOut, responses=ERRORS)
def issue_ticket(body: TicketIn, write: Write = Depends(kiosk_write), central: Central = Depends(get_central)):
    """Draw the next number of a service, or record a ticket the kiosk issued while offline."""
    owner = citizens.owner_key(central.settings, body.owner_id_number) if body.owner_id_number else None
    if body.offline_number:
        return run_once(central, write, lambda session: tickets.record_offline(
            central, session, write.principal, body.service, body.priority, body.offline_number, body.issued_at,
            owner))
    return issuing.issue(central, write, body.service, body.priority, owner)


@router.post("/tickets/void-by-key", response_model=VoidByKeyOut, responses=ERRORS)
def void_ticket_by_key(body: VoidByKeyIn, write: Write = Depends(kiosk_write),
                       central: Central = Depends(get_central)):
    """Void the ticket an issue request drew, named by that request's Idempotency-Key; for a kiosk that
    never got (or could not keep) the answer. With no ticket drawn under the key, the key is spent: a
    late issue request with it is refused and draws nothing."""
    return run_once(central, write, lambda session: issuing.void_by_key(
        central, session, write, body.key, body.reason), status=200)


@router.get("/tickets/{reference}", response_model=TicketOut, responses=ERRORS)
def get_ticket(reference: str, principal: auth.Principal = Depends(auth.anyone),
               central: Central = Depends(get_central)):
    """A ticket by its reference, or by the key its kiosk issued it under (an offline ticket's QR code)."""
    with central.db.read() as session:
        return tickets.view(central, session, issuing.find_issued(session, principal.center_code, reference))


@router.post("/tickets/{reference}/void", response_model=TicketOut, responses=ERRORS)
def void_ticket(reference: str, body: VoidIn, write: Write = Depends(kiosk_write),
                central: Central = Depends(get_central)):
    """Take a ticket out of the queue, e.g. when its slip failed to print."""
    return run_once(central, write, lambda session: tickets.void(
        central, session, write.principal.center_code, reference, body.reason), status=200)


@router.post("/tickets/{reference}/reprint", response_model=TicketOut, responses=ERRORS)
def reprint_ticket(reference: str, write: Write = Depends(kiosk_write), central: Central = Depends(get_central)):
    """Count a reprint of the slip; the ticket keeps its number and place."""
    return run_once(central, write, lambda session: tickets.reprint(
        central, session, write.principal.center_code, reference), status=200)
