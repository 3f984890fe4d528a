"""The counter staff's side: calling tickets, dossier status, documents, alerts, kiosks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import desc, select

from central import auth, counters, dossiers, tickets
from central.context import Central, get_central
from central.errors import ApiError
from central.idempotency import Write, run_once, staff_write
from central.models import Alert, Document, Heartbeat, Kiosk
from central.schemas import ERRORS, DossierFull, StatusIn, TicketOut, TransferIn
from central.settings import VIETNAM

router = APIRouter(prefix="/staff", tags=["staff"])


def _iso(moment):
    return moment.astimezone(VIETNAM).isoformat() if moment else None


@router.get("/queue", responses=ERRORS)
def waiting(service: Annotated[str | None, Query(max_length=4)] = None,
            principal: auth.Principal = Depends(auth.staff), central: Central = Depends(get_central)) -> list[dict]:
    """Today's waiting tickets in the order they will be called."""
    with central.db.read() as session:
        return tickets.queue(central, session, principal.center_code, service)


@router.post("/counters/{counter}/call-next", response_model=TicketOut, responses=ERRORS)
def call_next(counter: str, write: Write = Depends(staff_write), central: Central = Depends(get_central)):
    """Call the next citizen for this counter: priority first, then by issue time."""
    return run_once(central, write, lambda session: counters.call_next(
        central, session, write.principal.center_code, counter), status=200)


@router.post("/tickets/{reference}/recall", response_model=TicketOut, responses=ERRORS)
def recall(reference: str, write: Write = Depends(staff_write), central: Central = Depends(get_central)):
    return run_once(central, write, lambda session: counters.recall(
        central, session, write.principal.center_code, reference), status=200)


@router.post("/tickets/{reference}/served", response_model=TicketOut, responses=ERRORS)
def served(reference: str, write: Write = Depends(staff_write), central: Central = Depends(get_central)):
    return run_once(central, write, lambda session: counters.finish(
        central, session, write.principal.center_code, reference, "served"), status=200)


@router.post("/tickets/{reference}/no-show", response_model=TicketOut, responses=ERRORS)
def no_show(reference: str, write: Write = Depends(staff_write), central: Central = Depends(get_central)):
    return run_once(central, write, lambda session: counters.finish(
        central, session, write.principal.center_code, reference, "no_show"), status=200)


@router.post("/tickets/{reference}/transfer", response_model=TicketOut, responses=ERRORS)
def transfer(reference: str, body: TransferIn, write: Write = Depends(staff_write),
             central: Central = Depends(get_central)):
    """Move a ticket to another service's queue; it keeps its number and issue time."""
    return run_once(central, write, lambda session: counters.transfer(
        central, session, write.principal.center_code, reference, body.service), status=200)


@router.get("/dossiers", responses=ERRORS)
def list_dossiers(status: Annotated[str | None, Query(max_length=20)] = None,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100,
                  principal: auth.Principal = Depends(auth.staff),
                  central: Central = Depends(get_central)) -> list[dict]:
    with central.db.read() as session:
        return dossiers.listing(session, principal.center_code, status, limit)


@router.get("/dossiers/{code}", response_model=DossierFull, responses=ERRORS)
def dossier(code: str, principal: auth.Principal = Depends(auth.staff), central: Central = Depends(get_central)):
    with central.db.read() as session:
        found = dossiers.find(session, code)
        if found.center_code != principal.center_code:
            raise ApiError(404, "dossier_not_found")
        return dossiers.full_view(session, found)


@router.post("/dossiers/{code}/status", response_model=DossierFull, responses=ERRORS)
def change_status(code: str, body: StatusIn, write: Write = Depends(staff_write),
                  central: Central = Depends(get_central)):
    """Move a dossier on (processing, needs_supplement, ready_for_pickup, handed_over, rejected).

    With ``ready_for_pickup``, ``locker`` names the kiosk and compartment holding the result (422
    ``unknown_kiosk`` when the center has no such kiosk); ``"locker": null`` means the counter."""
    return run_once(central, write, lambda session: dossiers.change_status(
        central, session, write.principal, code, body.status, body.message, dossiers.locker_update(body)),
        status=200)


@router.get("/documents/{document_id}", responses={200: {"content": {"application/pdf": {}}}, **ERRORS})
def document(document_id: str, principal: auth.Principal = Depends(auth.staff),
             central: Central = Depends(get_central)):
    with central.db.read() as session:
        row = session.execute(
            select(Document.storage_key, Kiosk.center_code).join(Kiosk, Kiosk.id == Document.kiosk_id)
            .where(Document.id == document_id)).first()
    if row is None or row.center_code != principal.center_code:
        raise ApiError(404, "unknown_document", document_id=document_id)
    with central.store.open(row.storage_key) as fh:
        return Response(fh.read(), media_type="application/pdf")


@router.get("/alerts", responses=ERRORS)
def alerts(open_only: Annotated[bool, Query(alias="open")] = True,
           principal: auth.Principal = Depends(auth.staff), central: Central = Depends(get_central)) -> list[dict]:
    with central.db.read() as session:
        stmt = (select(Alert, Kiosk.name).join(Kiosk, Kiosk.id == Alert.kiosk_id, isouter=True)
                .where(Alert.center_code == principal.center_code).order_by(desc(Alert.created_at)).limit(200))
        if open_only:
            stmt = stmt.where(Alert.acknowledged_at.is_(None))
        return [{"id": a.id, "kind": a.kind, "screen": a.screen, "detail": a.detail, "kiosk": name,
                 "created_at": _iso(a.created_at), "acknowledged_at": _iso(a.acknowledged_at),
                 "acknowledged_by": a.acknowledged_by} for a, name in session.execute(stmt)]


@router.post("/alerts/{alert_id}/acknowledge", responses=ERRORS)
def acknowledge(alert_id: int, write: Write = Depends(staff_write), central: Central = Depends(get_central)):
    def work(session):
        alert = session.get(Alert, alert_id, with_for_update=True)
        if alert is None or alert.center_code != write.principal.center_code:
            raise ApiError(404, "alert_not_found")
        if alert.acknowledged_at is None:
            alert.acknowledged_at = central.settings.now()
            alert.acknowledged_by = write.principal.name
        return {"id": alert.id, "acknowledged_at": _iso(alert.acknowledged_at),
                "acknowledged_by": alert.acknowledged_by}

    return run_once(central, write, work, status=200)


@router.get("/kiosks", responses=ERRORS)
def kiosks(principal: auth.Principal = Depends(auth.staff), central: Central = Depends(get_central)) -> list[dict]:
    """The center's kiosks, when each was last heard from and its last device report."""
    with central.db.read() as session:
        result = []
        for kiosk in session.scalars(select(Kiosk).where(Kiosk.center_code == principal.center_code)
                                     .order_by(Kiosk.name)):
            beat = session.scalars(select(Heartbeat).where(Heartbeat.kiosk_id == kiosk.id)
                                   .order_by(desc(Heartbeat.received_at), desc(Heartbeat.id)).limit(1)).first()
            result.append({"name": kiosk.name, "active": kiosk.active, "last_seen_at": _iso(kiosk.last_seen_at),
                           "devices": beat.devices if beat else {}, "outbox": beat.outbox if beat else {}})
        return result
