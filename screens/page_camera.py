"""The document camera's own thread for the capture screen: preview frames, auto capture, stills.

``PageCamera`` reads ``camera.frame()`` a few times a second on its thread, runs ``AutoCapture`` on
each frame and keeps the latest (a reduced copy for the screen, and what ``AutoCapture`` found). When
the page has been steady and sharp long enough it takes the still itself, once: it waits for the
page to be taken away or changed before it captures again. ``take()`` asks for a still now (the
capture button). Stills and faults are handed to callbacks on this thread; the screen moves them onto
its UI thread. No Kivy here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from devices.errors import DeviceError
from kiosk.digitize.preview import AutoCapture, PreviewState

log = logging.getLogger(__name__)

#: Preview frames read per second (the screen draws at its own rate).
FRAMES_PER_S = 6
#: The widest preview picture handed to the screen.
PREVIEW_WIDTH = 720
#: Mean grey-level difference (64 x 64 signature) that counts as a new page under the camera.
NEW_PAGE_DIFFERENCE = 4.0


@dataclass(frozen=True)
class PreviewFrame:
    picture: Image.Image
    #: The full frame's size; ``state.outline`` is in its pixels.
    size: tuple[int, int]
    state: PreviewState
    number: int


def signature(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L").resize((64, 64), Image.BILINEAR), dtype=np.float32)


class PageCamera:
    def __init__(
        self,
        camera: Callable[[], object],
        on_still: Callable[[Image.Image], None],
        on_error: Callable[[DeviceError], None],
        auto: Callable[[], bool] = lambda: True,
    ):
        self._camera = camera
        self.on_still = on_still
        self.on_error = on_error
        self.auto = auto
        self.auto_capture = AutoCapture()
        self._latest: PreviewFrame | None = None
        self._count = 0
        self._take = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._armed = True
        self._taken: np.ndarray | None = None
        self.failed = False

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._take.clear()
        self.auto_capture.reset()
        self._armed, self._taken, self.failed = True, None, False
        self._thread = threading.Thread(target=self._run, name="page-camera", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._latest = None

    def take(self) -> None:
        """Take a still as soon as the camera thread can."""
        self._take.set()

    def latest(self) -> PreviewFrame | None:
        return self._latest

    def _run(self) -> None:
        while not self._stop.is_set():
            camera = self._camera()
            try:
                if camera is None:
                    raise DeviceError("no document camera")
                if self._take.is_set():
                    self._take.clear()
                    self._still(camera)
                    continue
                self._preview(camera)
                self.failed = False
            except DeviceError as err:
                if not self.failed:
                    log.warning("document camera: %s", err)
                self.failed = True
                self.on_error(err)
                self._stop.wait(1.0)
                continue
            self._take.wait(1.0 / FRAMES_PER_S)

    def _preview(self, camera) -> None:
        frame = camera.frame()
        state = self.auto_capture.feed(frame)
        small = frame
        if frame.width > PREVIEW_WIDTH:
            small = frame.resize((PREVIEW_WIDTH, max(1, round(frame.height * PREVIEW_WIDTH / frame.width))), Image.BILINEAR)
        self._count += 1
        self._latest = PreviewFrame(small.convert("RGB"), frame.size, state, self._count)
        if not self._armed:
            if state.outline is None or (self._taken is not None and
                                         float(np.abs(signature(frame) - self._taken).mean()) > NEW_PAGE_DIFFERENCE):
                self._armed = True
                self.auto_capture.reset()
        elif state.ready and state.sheet_touches == 0 and self.auto():
            self._still(camera)

    def _still(self, camera) -> None:
        still = camera.capture()
        self._armed = False
        self._taken = signature(still)
        self.auto_capture.reset()
        self.on_still(still)
