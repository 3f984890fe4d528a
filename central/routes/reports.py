"""What kiosks report: ratings, heartbeats with device health, alerts for staff."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import update

from central.context import Central, get_central
from central.errors import ApiError
from central.idempotency import Write, kiosk_write, run_once
from central.models import Alert, Heartbeat, Kiosk, Rating, Service
from central.schemas import ERRORS, AlertIn, Created, HeartbeatIn, RatingIn
from central.settings import VIETNAM

router = APIRouter(tags=["reports"])


def _created(row, central: Central) -> dict:
    return {"id": row.id, "received_at": central.settings.now().astimezone(VIETNAM).isoformat()}


@router.post("/ratings", status_code=201, response_model=Created, responses=ERRORS)
def rate(body: RatingIn, write: Write = Depends(kiosk_write), central: Central = Depends(get_central)):
    """A citizen's satisfaction: 1 (not satisfied) to 4 (very satisfied), with optional reasons."""

    def work(session):
        if body.service is not None:
            known = session.query(Service.id).filter_by(center_code=write.principal.center_code, code=body.service)
            if known.first() is None:
                raise ApiError(422, "unknown_service", code=body.service)
        rating = Rating(center_code=write.principal.center_code, kiosk_id=write.principal.id, score=body.score,
                        reasons=body.reasons, service_code=body.service, counter=body.counter,
                        created_at=central.settings.now())
        session.add(rating)
        session.flush()
        return _created(rating, central)

    return run_once(central, write, work)


@router.post("/heartbeats", status_code=201, response_model=Created, responses=ERRORS)
def heartbeat(body: HeartbeatIn, write: Write = Depends(kiosk_write), central: Central = Depends(get_central)):
    """The kiosk is alive; how its devices are and how much its outbox holds."""

    def work(session):
        now = central.settings.now()
        beat = Heartbeat(kiosk_id=write.principal.id, reported_name=body.kiosk, received_at=now,
                         devices={k: v.model_dump() for k, v in body.devices.items()}, outbox=body.outbox)
        session.add(beat)
        session.execute(update(Kiosk).where(Kiosk.id == write.principal.id).values(last_seen_at=now))
        session.flush()
        return _created(beat, central)

    return run_once(central, write, work)


@router.post("/alerts", status_code=201, response_model=Created, responses=ERRORS)
def raise_alert(body: AlertIn, write: Write = Depends(kiosk_write), central: Central = Depends(get_central)):
    """Ask for staff: a citizen pressed "call staff", a print failed, a device broke."""

    def work(session):
        alert = Alert(center_code=write.principal.center_code, kiosk_id=write.principal.id, kind=body.kind,
                      screen=body.screen, detail=body.detail, created_at=central.settings.now())
        session.add(alert)
        session.flush()
        return _created(alert, central)

    return run_once(central, write, work)
