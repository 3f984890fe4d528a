"""Dossiers: submission with documents, codes, status history, owner views and result handover.

A dossier code reads ``CENTER-YYMM-NNNNNN`` (month of receipt in Vietnam time), numbered per center
and month from a counter row, the same way ticket numbers are. Status moves along

    received → processing → needs_supplement → processing … → ready_for_pickup → handed_over
    (and to rejected from any step before the result is ready)

and every move is kept with its time, who made it and the message for the citizen.
"""

from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.catalog import procedure_view
from central.db import upsert
from central.errors import ApiError
from central.models import Document, Dossier, DossierCounter, DossierEvent, Procedure
from central.settings import VIETNAM

TRANSITIONS = {
    "received": {"processing", "needs_supplement", "rejected"},
    "processing": {"needs_supplement", "ready_for_pickup", "rejected"},
    "needs_supplement": {"processing", "rejected"},
    "ready_for_pickup": {"handed_over"},
    "handed_over": set(),
    "rejected": set(),
}


def _next_code(central, session: Session, center: str, period: str) -> str:
    stmt = upsert(central.db.dialect, DossierCounter).values(center_code=center, period=period, last_number=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[DossierCounter.center_code, DossierCounter.period],
        set_={"last_number": DossierCounter.last_number + 1},
    ).returning(DossierCounter.last_number)
    return f"{center}-{period}-{session.execute(stmt).scalar_one():06d}"


def get_procedure(session: Session, code: str, status: int = 404) -> Procedure:
    procedure = session.get(Procedure, code)
    if procedure is None or not procedure.active:
        raise ApiError(status, "procedure_not_found", code=code)
    return procedure


def submit(central, session: Session, principal, procedure_code: str, owner: dict, form: dict,
           documents: list[dict], submitted_at) -> dict:
    procedure = get_procedure(session, procedure_code, status=422)
    items = {d["id"] for d in (procedure.details or {}).get("documents", [])}
    attached = []
    for entry in documents:
        if entry["checklist_item"] not in items:
            raise ApiError(422, "unknown_checklist_item", procedure=procedure.code, item=entry["checklist_item"])
        document = session.scalars(select(Document).where(Document.id == entry["document_id"])
                                    .with_for_update()).first()
        if document is None or document.kiosk_id != principal.id:
            raise ApiError(422, "unknown_document", document_id=entry["document_id"])
        if document.dossier_id is not None or any(d is document for d, _ in attached):
            raise ApiError(409, "document_in_use", document_id=entry["document_id"])
        attached.append((document, entry["checklist_item"]))
    now = central.settings.now()
    local = now.astimezone(VIETNAM)
    expected = central.calendar.expected_result_date(
        local, procedure.processing_days,
        office_close_hour=central.settings.office_close_hour,
        same_day_cutoff_hour=central.settings.same_day_cutoff_hour)
    dossier = Dossier(
        code=_next_code(central, session, principal.center_code, local.strftime("%y%m")),
        center_code=principal.center_code, procedure_code=procedure.code, status="received",
        owner_id_number=owner["id_number"], owner=owner, form=form, submitted_at=submitted_at,
        received_at=now, expected_result_date=expected, kiosk_id=principal.id)
    session.add(dossier)
    session.flush()
    for document, item in attached:
        document.dossier_id = dossier.id
        document.checklist_item = item
    session.add(DossierEvent(dossier_id=dossier.id, status="received", message="", actor=principal.name, at=now))
    session.flush()
    return full_view(session, dossier, procedure)


def find(session: Session, code: str, lock: bool = False) -> Dossier:
    stmt = select(Dossier).where(Dossier.code == code)
    if lock:
        stmt = stmt.with_for_update()
    dossier = session.scalars(stmt).first()
    if dossier is None:
        raise ApiError(404, "dossier_not_found")
    return dossier


def public_view(session: Session, dossier: Dossier) -> dict:
    procedure = session.get(Procedure, dossier.procedure_code)
    return {
        "code": dossier.code,
        "status": dossier.status,
        "expected_result_date": dossier.expected_result_date.isoformat(),
        "procedure": dossier.procedure_code,
        "procedure_name": {"vi": procedure.name_vi, "en": procedure.name_en} if procedure else None,
    }


def full_view(session: Session, dossier: Dossier, procedure: Procedure | None = None) -> dict:
    procedure = procedure or session.get(Procedure, dossier.procedure_code)
    events = session.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
                             .order_by(DossierEvent.at, DossierEvent.id)).all()
    documents = session.scalars(select(Document).where(Document.dossier_id == dossier.id)
                                .order_by(Document.created_at, Document.id)).all()
    history = [{"status": e.status, "at": e.at.astimezone(VIETNAM).isoformat(), "message": e.message} for e in events]
    return {
        **public_view(session, dossier),
        "received_at": dossier.received_at.astimezone(VIETNAM).isoformat(),
        "submitted_at": dossier.submitted_at.astimezone(VIETNAM).isoformat() if dossier.submitted_at else None,
        "owner": dossier.owner,
        "form": dossier.form,
        "documents": [{"document_id": d.id, "checklist_item": d.checklist_item, "filename": d.filename,
                       "size": d.size, "sha256": d.sha256} for d in documents],
        "history": history,
        "messages": [h for h in history if h["message"]],
        "fee": procedure_view(procedure)["fee"] if procedure else None,
        "handed_over_at": dossier.handed_over_at.astimezone(VIETNAM).isoformat() if dossier.handed_over_at else None,
        "pickup": dossier.pickup,
    }


def check_owner(dossier: Dossier, id_number: str) -> None:
    if not hmac.compare_digest(dossier.owner_id_number.encode(), id_number.encode()):
        raise ApiError(403, "owner_mismatch")


def pickup(central, session: Session, principal, code: str, id_number: str, kiosk: str, compartment) -> dict:
    dossier = find(session, code, lock=True)
    check_owner(dossier, id_number)
    if dossier.status == "handed_over":
        raise ApiError(409, "already_handed_over")
    if dossier.status != "ready_for_pickup":
        raise ApiError(409, "not_ready")
    now = central.settings.now()
    dossier.status = "handed_over"
    dossier.handed_over_at = now
    dossier.pickup = {"kiosk": kiosk, "compartment": compartment, "by": principal.name}
    session.add(DossierEvent(dossier_id=dossier.id, status="handed_over", message="", actor=principal.name, at=now))
    session.flush()
    return full_view(session, dossier)


def change_status(central, session: Session, principal, code: str, target: str, message: str) -> dict:
    dossier = find(session, code, lock=True)
    if dossier.center_code != principal.center_code:
        raise ApiError(404, "dossier_not_found")
    if target != dossier.status or not message:
        if target not in TRANSITIONS.get(dossier.status, set()):
            raise ApiError(409, "invalid_transition", current=dossier.status, target=target)
    now = central.settings.now()
    dossier.status = target
    if target == "handed_over":
        dossier.handed_over_at = now
        dossier.pickup = {"kiosk": None, "compartment": None, "by": principal.name}
    session.add(DossierEvent(dossier_id=dossier.id, status=target, message=message, actor=principal.name, at=now))
    session.flush()
    return full_view(session, dossier)


def listing(session: Session, center: str, status: str | None, limit: int) -> list[dict]:
    stmt = select(Dossier).where(Dossier.center_code == center).order_by(Dossier.received_at.desc()).limit(limit)
    if status:
        stmt = stmt.where(Dossier.status == status)
    return [public_view(session, d) | {"received_at": d.received_at.astimezone(VIETNAM).isoformat()}
            for d in session.scalars(stmt)]
