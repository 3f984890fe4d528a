"""Read QR codes from a camera: frames go through the decoding pipeline until a code is found.

URLs:

* ``camera://`` reads the frames of the kiosk's camera port (``devices.camera``), opened first;
* ``camera://opencv/0`` (or ``camera://opencv//dev/video2``) opens the camera with OpenCV itself.
  Options: ``width``, ``height`` (requested frame size, default 1280x720), ``budget_ms`` (the most
  time spent decoding one frame before the next one is taken, default 150).

``preview()`` returns the latest frame for the on-screen view. ``accept`` (from the constructor or
``context.options["qr_accept"]``) tells the pipeline which payloads to look for, so a frame holding
some other QR code does not end the search early.

A frame gets ``budget_ms`` only, which cuts off the pipeline's slowest step (``deep_read``, seconds
for a card blurred by a whole module). When the reader starts struggling (a code is in view that the
frames cannot read), the whole pipeline runs on that frame in the background while frames go on
being read; its code is delivered by ``read`` as long as a code has stayed in view (a card taken
away and another brought does not get the first card's identity).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

import numpy as np

from devices.errors import DeviceDisconnected, DeviceError, DeviceTimeout, DriverUnavailable
from devices.ports import DeviceURL, Health, QrReader, QrScan
from devices.qr_reader.background import BackgroundRead

log = logging.getLogger(__name__)

#: Consecutive failed grabs after which an OpenCV camera counts as unplugged.
MAX_FAILED_GRABS = 25
#: Consecutive frames showing a code that cannot be read after which the reader is ``struggling``
#: (about a second of frames: a code passing through the view does not count).
STRUGGLE_FRAMES = 6
#: Consecutive frames without any code after which the card counts as gone: a background read of it
#: started earlier is no longer delivered.
GONE_FRAMES = 6


class CameraQrReader(QrReader):
    def __init__(self, grab: Callable[[float], np.ndarray], *, describe: str,
                 health: Callable[[], Health], release: Callable[[], None] | None = None,
                 frame_budget_s: float = 0.15, accept: Callable[[bytes], bool] | None = None):
        from devices.qr_reader.decode import QrDecoder

        self._grab = grab
        self._describe = describe
        self._health = health
        self._release = release
        self.frame_budget_s = frame_budget_s
        self.accept = accept
        self._decoder = QrDecoder()
        self._latest: np.ndarray | None = None
        self._lock = threading.Lock()
        self.frames_seen = 0
        #: Frames in a row that showed a code the pipeline could not read.
        self.unread_frames = 0
        #: Frames in a row that showed no code at all.
        self.empty_frames = 0
        self.background = BackgroundRead(accept)

    @classmethod
    def from_url(cls, url: DeviceURL, context) -> "CameraQrReader":
        try:
            budget = float(url.param("budget_ms", "150")) / 1000
        except ValueError:
            raise DriverUnavailable(f"qr_reader: budget_ms must be milliseconds, got '{url.param('budget_ms')}'") from None
        accept = context.options.get("qr_accept")
        if url.netloc == "opencv":
            return cls._open_opencv(url, budget, accept)
        if url.netloc or url.path.strip("/"):
            raise DriverUnavailable(
                f"qr_reader: '{url.raw}': expected camera:// (the kiosk camera) or camera://opencv/INDEX"
            )
        camera = context.devices.get("camera")
        if camera is None:
            raise DriverUnavailable(
                "qr_reader: camera:// reads through the kiosk camera, but devices.camera is none://"
            )

        def grab(timeout: float) -> np.ndarray:
            frame = camera.frame(timeout)
            return np.ascontiguousarray(np.asarray(frame.convert("RGB"))[:, :, ::-1])  # BGR, as OpenCV

        return cls(grab, describe="kiosk camera", health=camera.health, frame_budget_s=budget, accept=accept)

    @classmethod
    def _open_opencv(cls, url: DeviceURL, budget: float, accept) -> "CameraQrReader":
        import cv2

        target = url.path.lstrip("/") or "0"
        if target.startswith("dev/"):
            target = "/" + target
        source: int | str = int(target) if target.isdigit() else target
        try:
            width = int(url.param("width", "1280"))
            height = int(url.param("height", "720"))
        except ValueError:
            raise DriverUnavailable("qr_reader: width and height must be whole numbers of pixels") from None
        capture = cv2.VideoCapture(source)
        if not capture.isOpened():
            capture.release()
            raise DriverUnavailable(f"qr_reader: cannot open camera {source!r} with OpenCV")
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        lock = threading.Lock()
        failures = [0]

        def grab(timeout: float) -> np.ndarray:
            with lock:
                ok, frame = capture.read()
            if not ok or frame is None:
                failures[0] += 1
                if failures[0] >= MAX_FAILED_GRABS:
                    raise DeviceDisconnected(f"qr_reader: camera {source!r} stopped sending frames")
                raise DeviceTimeout(f"qr_reader: camera {source!r} gave no frame")
            failures[0] = 0
            return frame

        def health() -> Health:
            if not capture.isOpened():
                return Health("error", f"camera {source!r} is closed")
            return Health("warning", f"camera {source!r} missed frames") if failures[0] else Health("ok", f"camera {source!r}")

        def release() -> None:
            with lock:
                capture.release()

        return cls(grab, describe=f"OpenCV camera {source!r}", health=health, release=release,
                   frame_budget_s=budget, accept=accept)

    def read(self, timeout: float) -> QrScan:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DeviceTimeout(f"qr_reader: no code seen by the {self._describe} in {timeout:g} s")
            try:
                frame = self._grab(min(remaining, 2.0))
            except DeviceTimeout:
                continue
            with self._lock:
                self._latest = frame
            self.frames_seen += 1
            frame_deadline = min(deadline, time.monotonic() + self.frame_budget_s)
            gray = _gray(frame)
            result = self._decoder.decode(gray, accept=self.accept, deadline=frame_deadline)
            found = result.accepted.data if result.accepted is not None else self.background.take()
            if found is not None:
                self.unread_frames = self.empty_frames = 0
                self.background.forget()
                return QrScan(found, source="camera")
            if result.located:
                self.unread_frames += 1
                self.empty_frames = 0
                if self.unread_frames >= STRUGGLE_FRAMES:
                    self.background.start(gray)
            else:
                self.unread_frames = 0
                self.empty_frames += 1
                if self.empty_frames >= GONE_FRAMES:
                    self.background.forget()

    def struggling(self) -> bool:
        return self.unread_frames >= STRUGGLE_FRAMES

    def preview(self):
        from PIL import Image

        with self._lock:
            frame = self._latest
        if frame is None:
            return None
        if frame.ndim == 2:
            return Image.fromarray(frame).convert("RGB")
        return Image.fromarray(np.ascontiguousarray(frame[:, :, 2::-1]))

    def health(self) -> Health:
        try:
            return self._health()
        except DeviceError as err:
            return Health("error", str(err))

    def close(self) -> None:
        self.background.forget()
        if self._release is not None:
            self._release()
            self._release = None


def _gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return frame
    import cv2

    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
