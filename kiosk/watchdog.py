"""Tell systemd how the kiosk is doing, and let it restart a hung UI.

``Notifier`` speaks the sd_notify protocol with no extra dependency: one datagram per message to the
AF_UNIX socket named in ``$NOTIFY_SOCKET`` (a path, or ``@name`` in the abstract namespace), e.g.
``READY=1``, ``STATUS=…``, ``WATCHDOG=1``, ``STOPPING=1``. Without ``$NOTIFY_SOCKET`` (not started by
systemd) every message is quietly skipped.

A hung UI is found with a heartbeat. The UI thread calls ``Heartbeat.beat()`` from a Kivy Clock every
second; ``UiWatchdog`` runs on its own thread and sends ``WATCHDOG=1`` every half ``WatchdogSec`` only
while the last beat is fresh. When the UI thread hangs the pings stop and systemd kills and restarts
the kiosk (``Restart=always``). A watchdog thread that pinged unconditionally would keep a frozen
screen alive forever.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

#: How long the UI may go without a beat before the watchdog stops vouching for it.
DEFAULT_STALE_AFTER_S = 10.0


def notify_address(env: Mapping[str, str] | None = None) -> str | None:
    """The socket address from ``$NOTIFY_SOCKET`` in the form ``socket.connect`` takes, or ``None``."""
    raw = (env if env is not None else os.environ).get("NOTIFY_SOCKET", "")
    if raw.startswith("@") and len(raw) > 1:
        return "\0" + raw[1:]
    if raw.startswith("/"):
        return raw
    return None


def watchdog_interval(env: Mapping[str, str] | None = None) -> float | None:
    """Seconds between pings (half of systemd's ``WatchdogSec``), or ``None`` when not asked for."""
    env = env if env is not None else os.environ
    pid = env.get("WATCHDOG_PID")
    if pid and pid != str(os.getpid()):
        return None  # the watchdog is meant for another process
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec / 2 / 1_000_000 if usec > 0 else None


class Notifier:
    """Sends sd_notify messages. Every method returns whether the message was sent."""

    def __init__(self, address: str | None = None, env: Mapping[str, str] | None = None):
        self.address = address if address is not None else notify_address(env)
        self._warned = False

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, *fields: str) -> bool:
        if self.address is None:
            return False
        message = "\n".join(fields).encode("utf-8")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(self.address)
                sock.sendall(message)
        except OSError as err:
            if not self._warned:
                log.warning("cannot notify systemd: %s", err)
                self._warned = True
            return False
        return True

    def ready(self, status: str = "") -> bool:
        return self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def status(self, text: str) -> bool:
        return self.send(f"STATUS={text}")

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def stopping(self, status: str = "") -> bool:
        return self.send("STOPPING=1", *([f"STATUS={status}"] if status else []))


class Heartbeat:
    """Beaten by the UI thread; read by the watchdog thread."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._last: float | None = None

    def beat(self, *_args: object) -> None:
        """Record that the UI thread is alive (usable directly as a Kivy Clock callback)."""
        self._last = self.clock()

    def age(self) -> float | None:
        """Seconds since the last beat; ``None`` before the first one."""
        last = self._last
        return None if last is None else self.clock() - last


class UiWatchdog:
    """Pings systemd's watchdog while the UI heartbeat is fresh; goes quiet when it is not."""

    def __init__(
        self,
        heartbeat: Heartbeat,
        notifier: Notifier,
        *,
        interval_s: float,
        stale_after_s: float = DEFAULT_STALE_AFTER_S,
    ):
        self.heartbeat = heartbeat
        self.notifier = notifier
        self.interval_s = interval_s
        self.stale_after_s = stale_after_s
        self.stale = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_environment(cls, heartbeat: Heartbeat, notifier: Notifier, **kwargs) -> UiWatchdog | None:
        """A watchdog at the interval systemd asks for; ``None`` when the unit has no ``WatchdogSec``."""
        interval = watchdog_interval()
        if interval is None or not notifier.enabled:
            return None
        return cls(heartbeat, notifier, interval_s=interval, **kwargs)

    def check(self) -> bool:
        """Ping if the UI beat recently; returns whether a ping was sent."""
        age = self.heartbeat.age()
        if age is not None and age <= self.stale_after_s:
            if self.stale:
                self.stale = False
                log.warning("the UI is responding again")
                self.notifier.status("running")
            return self.notifier.watchdog()
        if age is not None and not self.stale:
            self.stale = True
            log.error("the UI has not responded for %.0f s; no watchdog ping, systemd will restart the kiosk", age)
            self.notifier.status(f"UI not responding for {age:.0f} s")
        return False

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="ui-watchdog", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self.check()
        while not self._stop.wait(self.interval_s):
            self.check()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
