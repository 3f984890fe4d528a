"""Admin mode in the app: the hidden gesture, the way in and out, and the closed notice.

``install(app)`` (called once by ``KioskApp.build``) listens to every touch on the window: five taps
in the top-left corner within three seconds (``kiosk.admin.gesture``) open the PIN screen
(``admin_pin``) from any screen. The right PIN ends the citizen's visit, if one was open (it is
wiped), and opens maintenance (``admin``). "Close" there, or ``ADMIN_IDLE_S`` without a touch on
either admin screen, ends admin mode on the attract screen. Leaving maintenance any other way (back,
home) forgets what it showed too, and starts a fresh visit when no visit is open.

While the kiosk is locked the attract screen is covered by the closed notice
(``screens.admin_closed``). A lock by staff ("lock now") always is; the opening hours only once
``watch_lock(app)`` runs (the production window starts it; demos and tests run at any hour). The
check runs whenever the screen changes and every ``LOCK_POLL_S``; a citizen's visit is never cut off
by the closing time, the lock takes effect on the attract screen.
"""

from __future__ import annotations

import logging
import time

from kivy.app import App
from kivy.clock import Clock

from kiosk.admin.gesture import CORNER_MM, CornerTaps
from kiosk.admin.maintenance import RESTART_EXIT_CODE, Maintenance

log = logging.getLogger(__name__)

#: Admin mode ends after this long without a touch.
ADMIN_IDLE_S = 120.0
LOCK_POLL_S = 15.0
ADMIN_SCREENS = ("admin_pin", "admin")

_installed = False


def install(app) -> None:
    """Listen for the hidden gesture on the window (once per process) and follow ``app``'s screens."""
    global _installed
    app.bind(current=_screen_changed)
    if _installed:
        return
    from kivy.core.window import Window

    Window.bind(on_touch_down=_corner_touched)
    _installed = True


def _screen_changed(app, current: str) -> None:
    before = getattr(app, "_admin_last_screen", "")
    app._admin_last_screen = current
    check_lock(app)
    came_out = before in ADMIN_SCREENS and current not in (*ADMIN_SCREENS, "attract")
    if came_out and getattr(app.kiosk, "visits", None) is not None and app.visit is None:
        # left admin mode by "back" or "home": whoever touches the kiosk next gets a visit of their own
        Clock.schedule_once(lambda _dt: app.start_visit() if app.visit is None and app.current == current else None)


def _gesture(app) -> CornerTaps:
    taps = getattr(app, "_admin_taps", None)
    if taps is None:
        taps = app._admin_taps = CornerTaps(app.theme.mm(CORNER_MM))
    taps.corner_px = app.theme.mm(CORNER_MM)
    return taps


def _corner_touched(window, touch) -> bool:
    app = App.get_running_app()
    if app is None or not hasattr(app, "registry") or app.current in ADMIN_SCREENS:
        return False
    if touch.is_mouse_scrolling:
        return False
    if not _gesture(app).touch(touch.x, window.height - touch.y):
        return False
    log.info("admin: PIN screen opened by the hidden gesture on %s", app.current)
    app.go("admin_pin")
    return True


def maintenance(app) -> Maintenance:
    """The maintenance actions for the app's kiosk (made once)."""
    found = getattr(app, "_admin_maintenance", None)
    if found is None:
        found = app._admin_maintenance = Maintenance(app.kiosk)
    return found


def enter_maintenance(app) -> None:
    """The right PIN was given: end the citizen's visit, if any, and show maintenance."""
    if getattr(app.kiosk, "visits", None) is not None and app.visit is not None:
        app.end_visit("cancelled")
    app.history.clear()
    screen = app.registry.get("admin")
    screen.granted = True
    log.info("admin: maintenance opened")
    app.replace("admin")


def leave(app, why: str = "closed") -> None:
    """End admin mode: forget everything shown, back to the attract screen (closed while locked)."""
    log.info("admin: maintenance %s", why)
    app.end_visit("done")


def idle_for(app) -> float:
    return time.monotonic() - app.last_activity


def watching(app) -> bool:
    return getattr(app, "_admin_watch", None) is not None


def check_lock(app) -> bool:
    """Cover the attract screen while the kiosk is locked, uncover it when open; ``True`` when covered."""
    try:
        lock = maintenance(app).lock
        state = lock.state()
        cover = state.locked and (state.by == "staff" or watching(app)) and app.current == "attract"
        notice = lock.notice(app.language) if cover else ""
    except Exception as err:  # a broken lock file or clock must never stop the kiosk
        log.error("admin: kiosk lock state unavailable: %s: %s", type(err).__name__, err)
        cover, notice = False, ""
    overlay = getattr(app, "_admin_closed", None)
    if cover:
        if overlay is None:
            from screens.admin_closed import ClosedNotice

            overlay = app._admin_closed = ClosedNotice()
        if not overlay.shown:
            log.info("kiosk locked (%s): closed notice shown", state.by)
        overlay.show(notice, state.by == "staff")
    elif overlay is not None and overlay.shown:
        overlay.hide()
        log.info("closed notice taken away (%s)", "kiosk open" if app.current == "attract" else app.current)
    return cover


def watch_lock(app, every_s: float = LOCK_POLL_S):
    """Enforce the opening hours too: check now and every ``every_s`` seconds (cancel the event to stop)."""
    app._admin_watch = Clock.schedule_interval(lambda _dt: check_lock(app), every_s)
    check_lock(app)
    return app._admin_watch


def restart(app) -> None:
    """Staff asked for a restart: stop the app, exiting with ``RESTART_EXIT_CODE`` (systemd restarts it)."""
    log.info("admin: restart requested; exiting with code %d", RESTART_EXIT_CODE)
    app.exit_code = RESTART_EXIT_CODE
    app.end_visit("done")
    app.stop()
