"""Dossiers: submission with documents, codes, status history, owner views and result handover.

A dossier code reads ``CENTER-YYMM-NNNNNN`` (month of receipt in Vietnam time), numbered per center
and month from a counter row, the same way ticket numbers are. Status moves along

    received → processing → needs_supplement → processing … → ready_for_pickup → handed_over
    (and to rejected from any step before the result is ready)

and every move is kept with its time, who made it and the message for the citizen.

A kiosk names each submission with its own reference (``K1-261122-0007``, printed on the slip while
the kiosk is offline). The reference is unique: a second submission carrying it answers with the
dossier already made, so a dossier is never made twice, and every look-up accepts the reference in
place of the code. When staff mark a dossier ready they may say which kiosk's locker compartment holds
the result; a pickup must then happen at that kiosk (409 ``wrong_kiosk`` elsewhere, naming the place).
"""

from __future__ import annotations

import hmac
import re

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from central.catalog import procedure_view
from central.db import upsert
from central.errors import ApiError
from central.models import (Counter, CounterService, Document, Dossier, DossierCounter, DossierEvent, Kiosk,
                            Procedure, Service)
from central.settings import VIETNAM

#: What a dossier code (``HT01-2611-000123``) and a kiosk reference (``K1-261122-0007``) both look like.
LOOKUP_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,39}$")

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


def _already_submitted(central, session: Session, principal, reference: str, procedure_code: str,
                       owner: dict) -> Dossier | None:
    """The dossier made earlier under this kiosk reference, if any; 409 when it is someone else's."""
    if central.db.dialect == "postgresql":  # two deliveries at once: the second waits for the first
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:reference, 7))"),
                        {"reference": reference})
    dossier = session.scalars(select(Dossier).where(Dossier.kiosk_reference == reference)).first()
    if dossier is None:
        return None
    same = (dossier.center_code == principal.center_code and dossier.procedure_code == procedure_code
            and hmac.compare_digest(dossier.owner_id_number.encode(), owner["id_number"].encode()))
    if not same:
        raise ApiError(409, "kiosk_reference_taken", reference=reference)
    return dossier


def submit(central, session: Session, principal, procedure_code: str, owner: dict, form: dict,
           documents: list[dict], submitted_at, kiosk_reference: str | None = None) -> dict:
    if kiosk_reference:
        earlier = _already_submitted(central, session, principal, kiosk_reference, procedure_code, owner)
        if earlier is not None:
            return full_view(session, earlier)
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
        received_at=now, expected_result_date=expected, kiosk_id=principal.id, kiosk_reference=kiosk_reference)
    session.add(dossier)
    session.flush()
    for document, item in attached:
        document.dossier_id = dossier.id
        document.checklist_item = item
    session.add(DossierEvent(dossier_id=dossier.id, status="received", message="", actor=principal.name, at=now))
    session.flush()
    return full_view(session, dossier, procedure)


def find(session: Session, code: str, lock: bool = False) -> Dossier:
    """The dossier with this code, or else with this kiosk reference."""
    if not LOOKUP_KEY.match(code):  # neither a code nor a reference: nothing to ask the database
        raise ApiError(404, "dossier_not_found")
    for column in (Dossier.code, Dossier.kiosk_reference):
        stmt = select(Dossier).where(column == code)
        if lock:
            stmt = stmt.with_for_update()
        dossier = session.scalars(stmt).first()
        if dossier is not None:
            return dossier
    raise ApiError(404, "dossier_not_found")


def public_view(session: Session, dossier: Dossier) -> dict:
    procedure = session.get(Procedure, dossier.procedure_code)
    return {
        "code": dossier.code,
        "kiosk_reference": dossier.kiosk_reference,
        "status": dossier.status,
        "expected_result_date": dossier.expected_result_date.isoformat(),
        "procedure": dossier.procedure_code,
        "procedure_name": {"vi": procedure.name_vi, "en": procedure.name_en} if procedure else None,
    }


def locker_place(dossier: Dossier) -> dict | None:
    if not dossier.locker_kiosk:
        return None
    return {"kiosk": dossier.locker_kiosk, "compartment": dossier.locker_compartment}


def result_counter(session: Session, center: str, service: str) -> str | None:
    """The first counter (by number) serving ``service``: where a result is collected in person."""
    numbers = session.scalars(
        select(Counter.number).join(CounterService, CounterService.counter_id == Counter.id)
        .join(Service, Service.id == CounterService.service_id)
        .where(Service.center_code == center, Service.code == service, Service.active)).all()
    return min(numbers, key=lambda n: (len(n), n)) if numbers else None


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
        "locker": locker_place(dossier),
        "counter": result_counter(session, dossier.center_code, procedure.service_code) if procedure else None,
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
    place = locker_place(dossier)
    if place is not None:
        if place["kiosk"] not in (kiosk, principal.name):
            raise ApiError(409, "wrong_kiosk", kiosk=place["kiosk"], extra={"locker": place})
        if compartment is None:
            compartment = place["compartment"]
    now = central.settings.now()
    dossier.status = "handed_over"
    dossier.handed_over_at = now
    dossier.pickup = {"kiosk": kiosk, "compartment": compartment, "by": principal.name}
    session.add(DossierEvent(dossier_id=dossier.id, status="handed_over", message="", actor=principal.name, at=now))
    session.flush()
    return full_view(session, dossier)


def _check_kiosk(session: Session, center: str, name: str) -> None:
    found = session.scalars(select(Kiosk.id).where(Kiosk.name == name, Kiosk.center_code == center,
                                                   Kiosk.active)).first()
    if found is None:
        raise ApiError(422, "unknown_kiosk", kiosk=name)


#: ``change_status(locker=KEEP)``: the update says nothing about the locker place.
KEEP = object()


def locker_update(body) -> dict | None | object:
    """The locker place a status body states: a dict, ``None`` (at the counter) or ``KEEP`` (silent)."""
    if "locker" not in body.model_fields_set:
        return KEEP
    return body.locker.model_dump() if body.locker else None


def change_status(central, session: Session, principal, code: str, target: str, message: str,
                  locker: dict | None | object = KEEP) -> dict:
    """Move a dossier on. Marking it ready may say where the result waits: ``locker`` (a kiosk of the
    center and a compartment) or ``None`` for the counter. Saying "ready" again (with a message or a
    place) keeps the place unless a new one, or ``None``, is given."""
    dossier = find(session, code, lock=True)
    if dossier.center_code != principal.center_code:
        raise ApiError(404, "dossier_not_found")
    placing = target == "ready_for_pickup" and locker is not KEEP
    again = target == dossier.status and bool(message or placing)
    if not again and target not in TRANSITIONS.get(dossier.status, set()):
        raise ApiError(409, "invalid_transition", current=dossier.status, target=target)
    if locker not in (KEEP, None):
        if target != "ready_for_pickup":
            raise ApiError(422, "invalid_body", details="a locker place goes only with ready_for_pickup")
        _check_kiosk(session, principal.center_code, locker["kiosk"])
    now = central.settings.now()
    if target == "ready_for_pickup" and (placing or dossier.status != target):
        place = locker if isinstance(locker, dict) else None
        dossier.locker_kiosk = place["kiosk"] if place else None
        dossier.locker_compartment = place["compartment"] if place else None
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
