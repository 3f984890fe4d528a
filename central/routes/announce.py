"""The lobby's sounds: the chime, and the spoken call for a ticket called today (``central.announcer``).

Speech is only rendered for a ticket number issued today at the center and a counter of that center,
so the address cannot be used to make the server say anything else, and the cache stays small.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse
from sqlalchemy import select

from central.context import Central, get_central
from central.models import Counter, Ticket
from central.routes.events import CenterCode
from central.staff_session import Refusal
from devices.errors import DeviceError, DriverUnavailable

log = logging.getLogger(__name__)
router = APIRouter(tags=["lobby"])
TicketNumber = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{1,24}$")]
CounterNumber = Annotated[str, Path(pattern=r"^[A-Za-z0-9]{1,8}$")]
CACHED = {"Cache-Control": "public, max-age=86400"}


@router.get("/board/chime.wav", response_class=FileResponse)
def chime(request: Request):
    """The two-tone chime played before every call."""
    return FileResponse(request.app.state.announcer.chime(), media_type="audio/wav", headers=CACHED)


@router.get("/board/{center}/calls/{number}/{counter}.wav", response_class=FileResponse)
def spoken_call(center: CenterCode, number: TicketNumber, counter: CounterNumber, request: Request,
                central: Central = Depends(get_central)):
    """"Mời số A012 đến quầy 9", spoken by espeak-ng on this server."""
    day = central.settings.business_day()
    with central.db.read() as session:
        issued = session.scalar(select(Ticket.id).where(
            Ticket.center_code == center, Ticket.business_day == day, Ticket.number == number))
        known_counter = session.scalar(select(Counter.id).where(Counter.center_code == center,
                                                                Counter.number == counter))
    if issued is None or known_counter is None:
        raise Refusal(404, "unknown_call", number=number, counter=counter)
    try:
        path = request.app.state.announcer.speech(number, counter)
    except (DriverUnavailable, DeviceError) as err:
        log.error("lobby speech unavailable: %s", err)
        raise Refusal(503, "speech_unavailable") from None
    return FileResponse(path, media_type="audio/wav", headers=CACHED)
