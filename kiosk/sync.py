"""The link to the central service as the screens show it: online or offline, and what is still waiting.

``SyncStatus`` follows every request the API client makes (it is one of the client's observers) and
reads the outbox's counts. ``snapshot()`` is a plain value for a screen or the heartbeat; listeners
added with ``subscribe`` are called (on whatever thread noticed the change; screens move the call onto
the UI thread) when the kiosk goes offline or back online and when a queued item is delivered or fails.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.api.errors import CentralError
from kiosk.i18n import N_
from kiosk.outbox.store import Outbox

log = logging.getLogger(__name__)

OFFLINE_NOTICE = N_(
    "The kiosk is working offline. Your number is valid; it will be sent to the center when the "
    "connection is back."
)


@dataclass(frozen=True)
class SyncSnapshot:
    #: ``None`` until the kiosk has talked to the service once.
    online: bool | None
    #: Items not yet delivered (queued or being sent), by kind (ticket, dossier, rating, …).
    waiting: dict[str, int] = field(default_factory=dict)
    #: Items the service refused for good, by kind; they need an operator.
    failed: dict[str, int] = field(default_factory=dict)
    #: The last problem, for the operator (never personal data).
    last_error: str | None = None
    last_contact_at: float | None = None
    offline_since: float | None = None

    @property
    def offline(self) -> bool:
        return self.online is False

    @property
    def waiting_total(self) -> int:
        return sum(self.waiting.values())

    @property
    def notice(self) -> str | None:
        """The message id a screen should show the citizen about the link, if any."""
        return OFFLINE_NOTICE if self.offline else None


Listener = Callable[[SyncSnapshot], None]


class SyncStatus:
    def __init__(self, outbox: Outbox | None = None, clock: Callable[[], float] = time.time):
        self.outbox = outbox
        self.clock = clock
        self._lock = threading.Lock()
        self._online: bool | None = None
        self._last_error: str | None = None
        self._last_contact_at: float | None = None
        self._offline_since: float | None = None
        self._last_failure_at: float | None = None
        self._listeners: list[Listener] = []

    @property
    def online(self) -> bool | None:
        return self._online

    def offline_for(self) -> float:
        """Seconds since the kiosk last found the service unreachable (0 when online or unknown)."""
        since = self._offline_since
        return 0.0 if since is None or self._online is not False else max(self.clock() - since, 0.0)

    def failed_within(self, seconds: float) -> bool:
        """Whether the service is believed offline and a request to it failed in the last ``seconds``."""
        last = self._last_failure_at
        return self._online is False and last is not None and self.clock() - last < seconds

    def observe(self, ok: bool, error: CentralError | None = None) -> None:
        """Record the outcome of one request (the API client calls this after each)."""
        now = self.clock()
        with self._lock:
            before = self._online
            if ok:
                self._online = True
                self._last_contact_at = now
                self._offline_since = None
            else:
                self._online = False
                self._last_failure_at = now
                if before is not False:
                    self._offline_since = now
                if error is not None:
                    self._last_error = str(error)
            flipped = before != self._online
        if flipped:
            log.info("central service is %s", "reachable" if ok else "unreachable")
            self.changed()

    def snapshot(self) -> SyncSnapshot:
        waiting: dict[str, int] = {}
        failed: dict[str, int] = {}
        if self.outbox is not None:
            counts = self.outbox.counts()
            waiting, failed = counts.waiting, dict(counts.failed)
        with self._lock:
            return SyncSnapshot(
                online=self._online,
                waiting=waiting,
                failed=failed,
                last_error=self._last_error,
                last_contact_at=self._last_contact_at,
                offline_since=self._offline_since if self._online is False else None,
            )

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(snapshot)`` on every change; returns a function that unsubscribes."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def changed(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        if not listeners:
            return
        try:
            snapshot = self.snapshot()
        except Exception as err:  # a closed or busy database must not break a delivery
            log.warning("sync status unavailable: %s", type(err).__name__)
            return
        for listener in listeners:
            try:
                listener(snapshot)
            except Exception as err:
                log.error("sync status listener failed: %s", type(err).__name__)
