"""The counter page and the lobby display page, served as plain files from ``central/web`` (HTML, CSS
and JavaScript, no build step, nothing fetched from outside), and ``install`` that mounts them with the
live board, the sounds and the staff sign-in on the central service.

    /counter            counter staff: sign in, choose a counter, call, recall, serve, transfer
    /display/<center>   the lobby TV (/display goes to the default center's)

The pages' words come from the kiosk's translation catalogs (``/web/strings/<lang>.json``).
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from central.announcer import Announcer
from central.errors import ApiError
from central.live import LiveBoards, NudgeAfterStaffWrites
from central.routes.events import CenterCode
from central.staff_session import Refusal, Sessions, refusal_response
from kiosk.i18n import N_, available_languages, translate

WEB_DIR = FilePath(__file__).resolve().parent.parent / "web"
router = APIRouter(include_in_schema=False)
#: Pages may load only what this service serves; nothing may frame them.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

PAGE_STRINGS = [
    # lobby display
    N_("Now serving"), N_("Counter"), N_("Last calls"), N_("Waiting"), N_("No calls yet today"),
    N_("Calling number"), N_("to counter"), N_("Tap anywhere to turn on the sound"), N_("Chime"), N_("Voice"),
    N_("on"), N_("off"), N_("Live"), N_("Reconnecting…"),
    N_("The board may be out of date until the connection is back."),
    # counter page and sign-in
    N_("Counter staff"), N_("Staff access token"), N_("Sign in"), N_("Sign out"),
    N_("Ask the administrator for your token: kiosk central add-staff NAME"),
    N_("Could not reach the central service. Check the network and try again."),
    N_("Connection lost. Retrying…"), N_("Choose your counter"), N_("At the counter"),
    N_("No one at the counter. Press N to call the next citizen."), N_("Call next"), N_("Done, call next"),
    N_("Recall"), N_("Served"), N_("No-show"), N_("Transfer"), N_("Transfer number"), N_("Citizen's dossiers"),
    N_("Cancel"), N_("Close"), N_("Queue"), N_("No one waiting"), N_("Priority"), N_("ID card"),
    N_("Issued offline"), N_("Called at"), N_("Recalled {count} times"), N_("Transferred from {service}"),
    N_("Also called here and not finished"), N_("Finished today: {count}"),
    N_("Keyboard: N next · R recall · S served · X no-show · T transfer · D dossiers · Esc close"),
    N_("No dossiers found for this citizen."), N_("Owner"), N_("Status"), N_("Received"), N_("Expected result"),
    N_("Documents"), N_("History"),
    N_("received"), N_("processing"), N_("needs_supplement"), N_("ready_for_pickup"), N_("handed_over"),
    N_("rejected"), N_("Result waits at"), N_("Kiosk {kiosk}, compartment {compartment}"), N_("Move to"),
    N_("Message for the citizen"), N_("Result locker"), N_("No locker: at the counter"), N_("Locker kiosk"),
    N_("Locker compartment"), N_("Save status"),
]


def _page(name: str) -> FileResponse:
    return FileResponse(WEB_DIR / name, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


@router.get("/counter")
def counter_page():
    return _page("counter.html")


@router.get("/counter/login")
def login_page():
    return _page("login.html")


@router.get("/display")
def default_display(request: Request):
    center = request.app.state.central.settings.default_center
    return RedirectResponse(f"/display/{center}", status_code=307)


@router.get("/display/{center}")
def display_page(center: CenterCode):
    return _page("display.html")


@router.get("/web/strings/{language}.json")
def strings(language: Annotated[str, Path(pattern=r"^[a-z]{2}$")]):
    if language not in available_languages():
        raise ApiError(404, "not_found")
    return JSONResponse({text: translate(text, language) for text in PAGE_STRINGS},
                        headers={"Cache-Control": "no-cache"})


def install(app: FastAPI) -> None:
    """Mount the pages, the live board, the sounds and staff sign-in on ``app`` (from ``create_app``)."""
    from central.routes import announce, desk, events

    central = app.state.central
    announcer = Announcer(central.settings.data_dir / "lobby-sounds")
    app.state.announcer = announcer
    app.state.lobby = LiveBoards(central, on_new_calls=announcer.prepare)
    app.state.staff_sessions = Sessions(central)
    app.add_exception_handler(Refusal, refusal_response)
    app.add_middleware(NudgeAfterStaffWrites)
    for module in (announce, events, desk):
        app.include_router(module.router)
    app.include_router(router)
    app.mount("/web", StaticFiles(directory=WEB_DIR), name="web")
