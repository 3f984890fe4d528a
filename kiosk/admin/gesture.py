"""The hidden gesture that opens admin mode: five taps in the top-left corner within three seconds.

The corner is a square of ``CORNER_MM`` on the screen's top-left, over the center's name in the top
bar, where nothing reacts to a touch, so a citizen has no reason to tap there, let alone five times
in a row. A touch anywhere else starts the count again, and so does a pause: the five taps must fall
within ``WITHIN_S`` seconds. Positions are window pixels with y measured from the top.
"""

from __future__ import annotations

import time
from collections.abc import Callable

CORNER_MM = 20.0
TAPS = 5
WITHIN_S = 3.0


class CornerTaps:
    def __init__(self, corner_px: float, *, taps: int = TAPS, within_s: float = WITHIN_S,
                 clock: Callable[[], float] = time.monotonic):
        self.corner_px = corner_px
        self.taps = taps
        self.within_s = within_s
        self.clock = clock
        self._times: list[float] = []

    def in_corner(self, x: float, y_from_top: float) -> bool:
        return 0 <= x <= self.corner_px and 0 <= y_from_top <= self.corner_px

    def touch(self, x: float, y_from_top: float) -> bool:
        """Count one touch; ``True`` when it completes the gesture (the count then starts again)."""
        if not self.in_corner(x, y_from_top):
            self._times.clear()
            return False
        now = self.clock()
        self._times = [t for t in self._times if 0 <= now - t <= self.within_s] + [now]
        if len(self._times) >= self.taps:
            self._times.clear()
            return True
        return False

    def reset(self) -> None:
        self._times.clear()
