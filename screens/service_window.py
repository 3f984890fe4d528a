"""The production kiosk window under systemd: the app, the UI heartbeat and the watchdog notices."""

from __future__ import annotations

import logging
import os
import signal

from kivy.clock import Clock

from screens import admin_mode
from screens.app import KioskApp

log = logging.getLogger(__name__)


def run(kiosk, heartbeat, notifier, watchdog, heartbeat_s: float) -> int:
    """Run the app until it stops; ``READY=1`` after the first frame, heartbeats from the UI thread."""
    app = KioskApp(kiosk)

    def ready(_dt: float) -> None:
        heartbeat.beat()
        notifier.ready(f"serving as {kiosk.config.kiosk.id}")
        if watchdog is not None:
            watchdog.start()
        admin_mode.watch_lock(app)  # outside opening hours the kiosk shows that it is closed
        log.info("kiosk %s ready (pid %d)", kiosk.config.kiosk.id, os.getpid())

    def stop(signum, _frame) -> None:
        log.info("stopping on signal %d", signum)
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    Clock.schedule_interval(heartbeat.beat, heartbeat_s)
    Clock.schedule_once(ready, 0)
    app.run()
    # a restart chosen in admin mode leaves with its own code; systemd starts the kiosk again either way
    return getattr(app, "exit_code", 0)
