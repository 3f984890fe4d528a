"""The lobby board, public and read-only: the current state as JSON and its live stream (server-sent
events, see ``central.live``). It shows ticket numbers, counters and counts only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, StreamingResponse

from central import board
from central.live import BoardUnavailable, LiveBoards
from central.staff_session import Refusal

router = APIRouter(tags=["lobby"])
CenterCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,16}$")]
NO_CACHE = {"Cache-Control": "no-cache, no-store"}


async def _joined(hub: LiveBoards, center: str):
    if hub.closed:
        raise Refusal(503, "board_unavailable")
    try:
        return await hub.join(center)
    except board.UnknownCenter:
        raise Refusal(404, "unknown_center", center=center) from None
    except BoardUnavailable:
        raise Refusal(503, "board_unavailable") from None


@router.get("/board/{center}")
async def board_now(center: CenterCode, request: Request):
    """The board now: counters with the number at each, the last calls, waiting counts per service,
    the server time and whether the board is fresh."""
    hub: LiveBoards = request.app.state.lobby
    watcher = await _joined(hub, center)
    try:
        return JSONResponse(hub.snapshot(watcher), headers=NO_CACHE)
    finally:
        hub.leave(watcher)


@router.get("/board/{center}/events")
async def board_events(center: CenterCode, request: Request):
    """Server-sent events: ``state`` (the whole board, first and on every change), ``ping`` (every few
    seconds, with ``fresh``) and ``bye`` (reconnect now)."""
    hub: LiveBoards = request.app.state.lobby
    hub.leave(await _joined(hub, center))  # answer 404/503 before the stream starts
    return StreamingResponse(hub.stream(center), media_type="text/event-stream",
                             headers={**NO_CACHE, "X-Accel-Buffering": "no"})
