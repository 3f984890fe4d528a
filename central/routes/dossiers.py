"""Dossier submission, look-up by code, owner details and result pickup."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from central import auth, dossiers, ratelimit
from central.context import Central, get_central
from central.idempotency import Write, kiosk_write, run_once
from central.schemas import ERRORS, DossierFull, DossierIn, DossierPublic, OwnerCheck, PickupIn

router = APIRouter(tags=["dossiers"])


def _count_lookup(central: Central, request: Request, principal: auth.Principal) -> None:
    address = request.client.host if request.client else "-"
    settings = central.settings
    ratelimit.hit(central, f"lookup:{principal.key}:{address}", settings.lookup_limit, settings.lookup_window_s)


@router.post("/dossiers", status_code=201, response_model=DossierFull, responses=ERRORS)
def submit_dossier(body: DossierIn, write: Write = Depends(kiosk_write), central: Central = Depends(get_central)):
    """Submit a dossier; the answer carries its code and the expected result date.

    A submission whose ``kiosk_reference`` is already known answers with that dossier (never a second
    one); 409 ``kiosk_reference_taken`` when the reference belongs to another owner or procedure."""
    owner = body.owner.model_dump(mode="json")
    documents = [d.model_dump() for d in body.documents]
    return run_once(central, write, lambda session: dossiers.submit(
        central, session, write.principal, body.procedure, owner, body.form, documents, body.submitted_at,
        body.kiosk_reference))


@router.get("/dossiers/{code}", response_model=DossierPublic, responses=ERRORS)
def lookup_dossier(code: str, request: Request, principal: auth.Principal = Depends(auth.anyone),
                   central: Central = Depends(get_central)):
    """The public view of a dossier (by code or kiosk reference): status and expected date only.
    Rate limited per kiosk."""
    _count_lookup(central, request, principal)
    with central.db.read() as session:
        return dossiers.public_view(session, dossiers.find(session, code))


@router.post("/dossiers/{code}/details", response_model=DossierFull, responses=ERRORS)
def dossier_details(code: str, body: OwnerCheck, request: Request, write: Write = Depends(kiosk_write),
                    central: Central = Depends(get_central)):
    """The full dossier, for its owner only (the ID number must match)."""
    _count_lookup(central, request, write.principal)
    with central.db.read() as session:
        dossier = dossiers.find(session, code)
        dossiers.check_owner(dossier, body.id_number)
        return dossiers.full_view(session, dossier)


@router.post("/dossiers/{code}/pickup", response_model=DossierFull, responses=ERRORS)
def pickup_result(code: str, body: PickupIn, request: Request, write: Write = Depends(kiosk_write),
                  central: Central = Depends(get_central)):
    """Record that the owner took the result (at the kiosk's locker compartment, if any).

    When staff left the result in a locker, only that kiosk may hand it over: elsewhere 409
    ``wrong_kiosk`` with ``locker`` naming the kiosk and compartment."""
    _count_lookup(central, request, write.principal)
    return run_once(central, write, lambda session: dossiers.pickup(
        central, session, write.principal, code, body.id_number, body.kiosk, body.compartment), status=200)
