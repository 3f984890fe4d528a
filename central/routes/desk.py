"""The counter page's own API, signed in with the staff session cookie (``central.staff_session``).

Same actions and rules as the bearer staff API (``central.counters``), plus what the page shows: the
counter's queue by service, the ticket at the counter and the dossiers of the citizen who took it.
Every write needs the session's CSRF token and an Idempotency-Key, and wakes the lobby boards.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field, StrictStr
from sqlalchemy import func, select

from central import auth, citizens, counters, dossiers, ratelimit, staff_session, tickets
from central.context import Central, get_central
from central.errors import ApiError
from central.idempotency import Write, run_once
from central.models import Center, Counter, CounterService, Document, Kiosk, Service, Ticket
from central.schemas import ERRORS, Body, StatusIn, TransferIn
from central.settings import VIETNAM

#: The page's own API, left out of the OpenAPI document: other programs use the bearer staff API.
router = APIRouter(prefix="/counter/api", tags=["counter page"], include_in_schema=False)
Reference = Annotated[str, Path(max_length=40)]
CounterNumber = Annotated[str, Path(max_length=8)]
LOGIN_FAILURES = 10
LOGIN_WINDOW_S = 60
_forget_lock = threading.Lock()


class LoginIn(Body):
    token: Annotated[StrictStr, Field(min_length=1, max_length=200)]


def _nudge(request: Request, center: str) -> None:
    request.app.state.lobby.nudge(center)


@router.post("/login", responses=ERRORS)
def login(body: LoginIn, request: Request, central: Central = Depends(get_central)):
    """Exchange a staff token for a session cookie. Failed attempts are limited per address."""
    staff_session.check_same_site(request)
    principal = central.auth.lookup(body.token.strip())
    if principal is None or principal.kind != "staff":
        address = request.client.host if request.client else "-"
        ratelimit.hit(central, f"staff-login:{address}", LOGIN_FAILURES, LOGIN_WINDOW_S)  # 429 past the limit
        raise staff_session.Refusal(401, "login_failed")
    sessions: staff_session.Sessions = request.app.state.staff_sessions
    response = JSONResponse({"name": principal.name, "center": principal.center_code},
                            headers={"Cache-Control": "no-store"})
    staff_session.set_cookie(response, request, sessions.open(principal))
    return response


@router.post("/logout")
def logout(request: Request):
    staff_session.check_csrf(request)
    response = JSONResponse({"signed_out": True})
    staff_session.clear_cookie(response, request)
    return response


def _services(session, center: str) -> list[dict]:
    return [{"code": s.code, "name": {"vi": s.name_vi, "en": s.name_en}}
            for s in session.scalars(select(Service).where(Service.center_code == center, Service.active)
                                     .order_by(Service.code))]


def _counters(session, center: str) -> list[dict]:
    links: dict[int, list[str]] = {}
    for counter_id, code in session.execute(
            select(CounterService.counter_id, Service.code).join(Service, Service.id == CounterService.service_id)
            .where(Service.center_code == center, Service.active)):
        links.setdefault(counter_id, []).append(code)
    rows = session.scalars(select(Counter).where(Counter.center_code == center)).all()
    return [{"number": c.number, "name": c.name, "services": sorted(links.get(c.id, []))}
            for c in sorted(rows, key=lambda c: (len(c.number), c.number))]


@router.get("/session")
def whoami(request: Request, principal: auth.Principal = Depends(staff_session.staff),
           central: Central = Depends(get_central)) -> dict:
    """Who is signed in, the CSRF token for writes, and the center's counters and services."""
    cookie = request.cookies.get(staff_session.COOKIE, "")
    with central.db.read() as session:
        center = session.get(Center, principal.center_code)
        return {"name": principal.name, "center": {"code": center.code, "name": center.name},
                "csrf": request.app.state.staff_sessions.csrf_token(cookie),
                "counters": _counters(session, principal.center_code),
                "kiosks": list(session.scalars(select(Kiosk.name).where(
                    Kiosk.center_code == principal.center_code, Kiosk.active).order_by(Kiosk.name))),
                "services": _services(session, principal.center_code)}


def _ticket(central, session, ticket: Ticket) -> dict:
    return tickets.view(central, session, ticket) | {
        "identified": ticket.owner_key is not None, "recalls": ticket.recalls,
        "transferred_from": ticket.transferred_from}


def _forget_old_links(request: Request, central) -> None:
    """Once per business day and process, wipe the owner links of earlier days' tickets."""
    today = central.settings.business_day()
    with _forget_lock:
        if getattr(request.app.state, "owner_links_wiped_on", None) == today:
            return
        request.app.state.owner_links_wiped_on = today
    citizens.forget_old_links(central)


@router.get("/counters/{number}", responses=ERRORS)
def desk(number: CounterNumber, request: Request, principal: auth.Principal = Depends(staff_session.staff),
         central: Central = Depends(get_central)) -> dict:
    """The counter's ticket, its other open calls, and the waiting queue of each service it serves."""
    _forget_old_links(request, central)
    center = principal.center_code
    day = central.settings.business_day()
    with central.db.read() as session:
        mine = next((c for c in _counters(session, center) if c["number"] == number), None)
        if mine is None:
            raise ApiError(404, "unknown_counter", counter=number)
        called = session.scalars(select(Ticket).where(
            Ticket.center_code == center, Ticket.business_day == day, Ticket.status == "called",
            Ticket.counter == number).order_by(Ticket.called_at.desc(), Ticket.id.desc())).all()
        names = {s["code"]: s["name"] for s in _services(session, center)}
        waiting = session.scalars(select(Ticket).where(
            Ticket.center_code == center, Ticket.business_day == day, Ticket.status == "waiting",
            Ticket.service_code.in_(mine["services"] or [""]))
            .order_by(Ticket.priority.desc(), Ticket.issued_at, Ticket.id)).all()
        queue = {code: [] for code in mine["services"]}
        for t in waiting:
            queue[t.service_code].append({
                "reference": t.reference, "number": t.number, "priority": bool(t.priority),
                "issued_at": t.issued_at.astimezone(VIETNAM).isoformat(), "offline": bool(t.offline),
                "identified": t.owner_key is not None, "transferred_from": t.transferred_from})
        finished = session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.center_code == center, Ticket.business_day == day, Ticket.counter == number,
            Ticket.status.in_(("served", "no_show"))))
        return {
            "counter": mine,
            "current": _ticket(central, session, called[0]) if called else None,
            "open": [_ticket(central, session, t) for t in called[1:]],
            "queue": [{"service": code, "name": names.get(code), "tickets": entries}
                      for code, entries in queue.items()],
            "finished_today": finished,
        }


def _write(request: Request, central: Central, write: Write, work) -> Response:
    response = run_once(central, write, work, status=200)
    _nudge(request, write.principal.center_code)
    return response


@router.post("/counters/{number}/call-next", responses=ERRORS)
def call_next(number: CounterNumber, request: Request, write: Write = Depends(staff_session.staff_write),
              central: Central = Depends(get_central)):
    """Call the next citizen: priority first, then by issue time."""
    return _write(request, central, write, lambda session: counters.call_next(
        central, session, write.principal.center_code, number))


@router.post("/tickets/{reference}/recall", responses=ERRORS)
def recall(reference: Reference, request: Request, write: Write = Depends(staff_session.staff_write),
           central: Central = Depends(get_central)):
    return _write(request, central, write, lambda session: counters.recall(
        central, session, write.principal.center_code, reference))


@router.post("/tickets/{reference}/served", responses=ERRORS)
def served(reference: Reference, request: Request, write: Write = Depends(staff_session.staff_write),
           central: Central = Depends(get_central)):
    return _write(request, central, write, lambda session: counters.finish(
        central, session, write.principal.center_code, reference, "served"))


@router.post("/tickets/{reference}/no-show", responses=ERRORS)
def no_show(reference: Reference, request: Request, write: Write = Depends(staff_session.staff_write),
            central: Central = Depends(get_central)):
    return _write(request, central, write, lambda session: counters.finish(
        central, session, write.principal.center_code, reference, "no_show"))


@router.post("/tickets/{reference}/transfer", responses=ERRORS)
def transfer(reference: Reference, body: TransferIn, request: Request,
             write: Write = Depends(staff_session.staff_write), central: Central = Depends(get_central)):
    """Send the citizen to another service's queue (and so to the counters serving it)."""
    return _write(request, central, write, lambda session: counters.transfer(
        central, session, write.principal.center_code, reference, body.service))


@router.get("/tickets/{reference}/dossiers", responses=ERRORS)
def citizen_dossiers(reference: Reference, principal: auth.Principal = Depends(staff_session.staff),
                     central: Central = Depends(get_central)) -> list[dict]:
    """The dossiers of the citizen who took this ticket with their ID card."""
    with central.db.read() as session:
        ticket = tickets.find(session, principal.center_code, reference)
        if ticket.owner_key is None:
            raise staff_session.Refusal(404, "no_owner")
        return citizens.dossiers_of(central, session, principal.center_code, ticket.owner_key)


@router.get("/dossiers/{code}", responses=ERRORS)
def dossier(code: Annotated[str, Path(max_length=40)], principal: auth.Principal = Depends(staff_session.staff),
            central: Central = Depends(get_central)) -> dict:
    with central.db.read() as session:
        found = dossiers.find(session, code)
        if found.center_code != principal.center_code:
            raise ApiError(404, "dossier_not_found")
        return dossiers.full_view(session, found)


@router.post("/dossiers/{code}/status", responses=ERRORS)
def dossier_status(code: Annotated[str, Path(max_length=40)], body: StatusIn, request: Request,
                   write: Write = Depends(staff_session.staff_write), central: Central = Depends(get_central)):
    """Move a dossier on; marking it ready may name the kiosk locker compartment holding the result."""
    return run_once(central, write, lambda session: dossiers.change_status(
        central, session, write.principal, code, body.status, body.message, dossiers.locker_update(body)),
        status=200)


@router.get("/documents/{document_id}", responses={200: {"content": {"application/pdf": {}}}, **ERRORS})
def document(document_id: Annotated[str, Path(max_length=36)],
             principal: auth.Principal = Depends(staff_session.staff), central: Central = Depends(get_central)):
    with central.db.read() as session:
        row = session.execute(
            select(Document.storage_key, Kiosk.center_code).join(Kiosk, Kiosk.id == Document.kiosk_id)
            .where(Document.id == document_id)).first()
    if row is None or row.center_code != principal.center_code:
        raise ApiError(404, "unknown_document", document_id=document_id)
    with central.store.open(row.storage_key) as fh:
        return Response(fh.read(), media_type="application/pdf",
                        headers={"Cache-Control": "no-store", "Content-Disposition": "inline"})
