"""The scanner loop: reads the QR-reader port on a thread and reports plain events.

``Scanner(reader, on_identity=...)`` calls, on its own thread:

* ``on_identity(VisitIdentity)`` for a CCCD payload (check ``needs_staff`` for warnings);
* ``on_rejected(CccdError)`` for a code that is not a valid CCCD payload (a URL, a Wi-Fi code…);
* ``on_timeout()`` when nothing valid was read for ``timeout_s`` seconds (the loop then stops);
* ``on_error(DeviceError)`` when the reader fails (unplugged…) (the loop then stops);
* ``on_struggling()`` once each time the reader starts ``struggling`` (a code in view that cannot be
  read: held too far away or moving), so the citizen can be told to hold the card closer and still.

The same payload read again within ``debounce_s`` seconds of its last read is ignored, so a card held
still in front of the camera gives one event, not one per frame. The screen layer moves events onto the
UI thread (``Clock.schedule_once``); nothing here knows about widgets.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Callable

from devices.errors import DeviceError, DeviceTimeout
from devices.ports import QrReader
from kiosk.identity.cccd import CccdError
from kiosk.identity.visit import VisitIdentity

log = logging.getLogger(__name__)


class Scanner:
    def __init__(
        self,
        reader: QrReader,
        *,
        on_identity: Callable[[VisitIdentity], None],
        on_rejected: Callable[[CccdError], None] | None = None,
        on_timeout: Callable[[], None] | None = None,
        on_error: Callable[[DeviceError], None] | None = None,
        on_struggling: Callable[[], None] | None = None,
        debounce_s: float = 3.0,
        timeout_s: float | None = 60.0,
        poll_s: float = 0.5,
        source: str = "camera",
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] | None = None,
    ):
        self.reader = reader
        self.on_identity = on_identity
        self.on_rejected = on_rejected
        self.on_timeout = on_timeout
        self.on_error = on_error
        self.on_struggling = on_struggling
        self._told_struggling = False
        self.debounce_s = debounce_s
        self.timeout_s = timeout_s
        self.poll_s = poll_s
        self.source = source
        self._clock = clock
        self._now = now or (lambda: dt.datetime.now().astimezone())
        self._last: dict[bytes, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> "Scanner":
        if self.running:
            return self
        self._stop.clear()
        self._last.clear()
        self._thread = threading.Thread(target=self._run, name="qr-scanner", daemon=True)
        self._thread.start()
        return self

    def stop(self, wait: float | None = 5.0) -> None:
        """Ask the loop to end; it does after the read in progress (at most ``poll_s``)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(wait)

    def handle(self, data: bytes) -> bool:
        """Turn one read into an event; ``False`` when it was a repeat inside the debounce window."""
        at = self._clock()
        last = self._last.get(data)
        self._last = {k: t for k, t in self._last.items() if at - t < self.debounce_s}
        self._last[data] = at
        if last is not None and at - last < self.debounce_s:
            return False
        try:
            identity = VisitIdentity.from_payload(data, source=self.source, now=self._now())
        except CccdError as err:
            log.info("QR code rejected: %s", err.code)
            if self.on_rejected is not None:
                self.on_rejected(err)
            return True
        log.info("identity read: %r", identity)
        self.on_identity(identity)
        return True

    def _run(self) -> None:
        started = self._clock()
        while not self._stop.is_set():
            if self.timeout_s is not None:
                remaining = self.timeout_s - (self._clock() - started)
                if remaining <= 0:
                    log.info("QR scan timed out after %g s", self.timeout_s)
                    if self.on_timeout is not None:
                        self.on_timeout()
                    return
                wait = min(self.poll_s, remaining)
            else:
                wait = self.poll_s
            try:
                scan = self.reader.read(wait)
            except DeviceTimeout:
                self._check_struggling()
                continue
            except DeviceError as err:
                log.warning("QR reader failed: %s", err)
                if self.on_error is not None and not self._stop.is_set():
                    self.on_error(err)
                return
            if self._stop.is_set():
                return
            self._told_struggling = False
            if self.handle(scan.data):
                started = self._clock()

    def _check_struggling(self) -> None:
        try:
            struggling = bool(self.reader.struggling())
        except Exception as err:  # a hint only: a reader that cannot tell does not stop the loop
            log.debug("reader cannot tell whether it struggles: %s", type(err).__name__)
            return
        if not struggling:
            self._told_struggling = False
        elif not self._told_struggling and not self._stop.is_set():
            self._told_struggling = True
            if self.on_struggling is not None:
                self.on_struggling()
