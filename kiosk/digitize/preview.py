"""Live preview help for the capture screen: where the page is, and when to take the picture.

``AutoCapture.feed(frame)`` looks at one preview frame (reduced to ``PREVIEW_SIDE`` pixels, a few
milliseconds) and returns a ``PreviewState``: the sheet's outline to draw, whether the sheet is
steady and sharp, and ``ready`` once it has stayed so for ``steady_frames`` frames in a row. The
screen then takes a full-quality still with ``Camera.capture()``. No Kivy here: the screen calls
``feed`` from its camera thread and draws the result on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from kiosk.digitize.sheet import find_sheet

PREVIEW_SIDE = 640
#: Corners may move this share of the frame's diagonal between frames and still count as steady.
STEADY_SHIFT = 0.012
#: Variance of the Laplacian (preview scale) below which the frame is too soft to take.
MIN_PREVIEW_SHARPNESS = 60.0


@dataclass(frozen=True)
class PreviewState:
    #: The sheet's corners in the frame's own pixels (clockwise from top left), or ``None``.
    outline: list[tuple[float, float]] | None
    sharpness: float
    steady: bool
    ready: bool
    #: Sides of the frame the sheet runs into (1 to 3: ask the citizen to move the page in).
    sheet_touches: int = 0


def frame_sharpness(gray: np.ndarray) -> float:
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


class AutoCapture:
    """Follows the preview frames and says when the page has been steady and sharp long enough."""

    def __init__(self, steady_frames: int = 5, min_sharpness: float = MIN_PREVIEW_SHARPNESS) -> None:
        self.steady_frames = steady_frames
        self.min_sharpness = min_sharpness
        self._last: np.ndarray | None = None
        self._run = 0

    def reset(self) -> None:
        """Start over, e.g. after a capture or when the citizen turns the page."""
        self._last, self._run = None, 0

    def feed(self, frame: Image.Image) -> PreviewState:
        gray = frame.convert("L")
        scale = min(1.0, PREVIEW_SIDE / max(gray.size))
        if scale < 1.0:
            gray = gray.resize((max(1, int(gray.width * scale)), max(1, int(gray.height * scale))), Image.BILINEAR)
        arr = np.asarray(gray)
        corners, touches = find_sheet(arr, work_side=max(arr.shape))
        sharpness = frame_sharpness(arr)
        steady = False
        if corners is not None and self._last is not None:
            shift = float(np.abs(corners - self._last).max())
            steady = shift <= STEADY_SHIFT * float(np.hypot(*arr.shape))
        self._last = corners
        if steady and sharpness >= self.min_sharpness:
            self._run += 1
        else:
            self._run = 0
        outline = None if corners is None else [(float(x) / scale, float(y) / scale) for x, y in corners]
        return PreviewState(
            outline=outline,
            sharpness=sharpness,
            steady=steady,
            ready=self._run >= self.steady_frames,
            sheet_touches=touches,
        )
