"""When nobody touches the kiosk: a warning with a countdown, then the end of the visit.

``IdleTimer`` is pure logic on an injectable clock. The screen layer calls ``touch()`` on every touch
(and the kiosk on other signs of a citizen, such as a scanned card), ``poll()`` a few times a second
from a Kivy Clock, and reacts to plain callbacks:

    active --(idle_timeout_s without a touch)--> warning --(idle_warning_s more)--> timed_out
       ^                                            |
       +------------------- touch() ----------------+

``on_warning(seconds_left)`` when the warning appears, ``on_tick(seconds_left)`` each time the whole
seconds left change, ``on_resume()`` when a touch during the warning continues the visit, and
``on_timeout()`` once at the end (wipe the visit, show the attract screen). The warning always stays
up for the full ``idle_warning_s`` (at least 20 s, WCAG 2.2.1) from when it was shown, even when
``poll()`` came late. While the kiosk itself is busy for the citizen (printing, reading pages,
sending a dossier) ``hold()`` keeps the visit from timing out.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from kiosk.i18n import N_

MIN_WARNING_S = 20.0

#: What the warning says; the countdown is formatted with ``seconds``.
MSG_STILL_THERE = N_("Are you still there?")
MSG_COUNTDOWN = N_("For your privacy, this visit ends in {seconds} seconds and your information is erased.")
MSG_CONTINUE = N_("Continue")

STOPPED = "stopped"
ACTIVE = "active"
WARNING = "warning"
TIMED_OUT = "timed_out"


class IdleTimer:
    def __init__(
        self,
        timeout_s: float,
        warning_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_warning: Callable[[int], object] | None = None,
        on_tick: Callable[[int], object] | None = None,
        on_resume: Callable[[], object] | None = None,
        on_timeout: Callable[[], object] | None = None,
    ):
        if warning_s < MIN_WARNING_S:
            raise ValueError(f"the idle warning must last at least {MIN_WARNING_S:g} s, got {warning_s}")
        if timeout_s <= 0:
            raise ValueError(f"the idle timeout must be positive, got {timeout_s}")
        self.timeout_s = float(timeout_s)
        self.warning_s = float(warning_s)
        self.clock = clock
        self.on_warning = on_warning
        self.on_tick = on_tick
        self.on_resume = on_resume
        self.on_timeout = on_timeout
        self.state = STOPPED
        self._last_touch = 0.0
        self._deadline = 0.0
        self._shown = -1
        self._holds = 0
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, kiosk_config, **kwargs) -> IdleTimer:
        return cls(kiosk_config.idle_timeout_s, kiosk_config.idle_warning_s, **kwargs)

    def start(self) -> None:
        """A visit began: count from now."""
        with self._lock:
            self.state = ACTIVE
            self._last_touch = self.clock()
            self._holds = 0

    def stop(self) -> None:
        """No visit (attract screen): nothing to time out."""
        with self._lock:
            self.state = STOPPED
            self._holds = 0

    def touch(self) -> None:
        """The citizen did something; during the warning this continues the visit."""
        with self._lock:
            resumed = self.state == WARNING
            if self.state not in (ACTIVE, WARNING):
                return
            self.state = ACTIVE
            self._last_touch = self.clock()
        if resumed and self.on_resume:
            self.on_resume()

    @contextmanager
    def hold(self) -> Iterator[None]:
        """The kiosk is working for the citizen; the visit does not time out meanwhile."""
        with self._lock:
            self._holds += 1
        self.touch()
        try:
            yield
        finally:
            with self._lock:
                self._holds = max(0, self._holds - 1)
            self.touch()

    def seconds_left(self) -> float:
        """In the warning: seconds until the timeout; when active: seconds until the warning."""
        now = self.clock()
        with self._lock:
            if self.state == WARNING:
                return max(0.0, self._deadline - now)
            if self.state == ACTIVE:
                return max(0.0, self._last_touch + self.timeout_s - now)
            return 0.0

    def poll(self) -> str:
        """Move on if it is time; call often (the countdown shows whole seconds). Returns the state."""
        now = self.clock()
        events: list[Callable[[], object]] = []
        with self._lock:
            if self.state == ACTIVE and self._holds:
                self._last_touch = now
            elif self.state == ACTIVE and now - self._last_touch >= self.timeout_s:
                self.state = WARNING
                self._deadline = now + self.warning_s
                self._shown = math.ceil(self.warning_s)
                if self.on_warning:
                    events.append(lambda left=self._shown: self.on_warning(left))
            elif self.state == WARNING:
                left = self._deadline - now
                if left <= 0:
                    self.state = TIMED_OUT
                    if self.on_timeout:
                        events.append(self.on_timeout)
                elif math.ceil(left) != self._shown:
                    self._shown = math.ceil(left)
                    if self.on_tick:
                        events.append(lambda left=self._shown: self.on_tick(left))
            state = self.state
        for event in events:
            event()
        return state
