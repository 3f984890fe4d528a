"""A USB/V4L2 document camera through OpenCV.

URL: ``opencv://0?width=1920&height=1080`` (device index) or ``opencv:///dev/video2``; a video file
path works too, which is how the driver is tested without a camera. Opening fails loudly with
``DriverUnavailable`` when there is no such device. ``capture()`` drops the frames the camera had
buffered so the still shows the page as it is now.
"""

from __future__ import annotations

import threading
import time

from PIL import Image

from devices.camera import int_param
from devices.errors import DeviceDisconnected, DeviceTimeout, DriverUnavailable
from devices.ports import Camera, DeviceURL, Health

#: Frames a camera may hold in its buffer; read and dropped before a still.
STALE_FRAMES = 4


class OpenCvCamera(Camera):
    def __init__(self, source: int | str, width: int = 0, height: int = 0):
        try:
            import cv2
        except ImportError as err:
            raise DriverUnavailable(f"camera: OpenCV is not installed ({err})") from err
        self._cv2 = cv2
        self.source = source
        capture = cv2.VideoCapture(source)
        if not capture.isOpened():
            capture.release()
            raise DriverUnavailable(f"camera: no camera at {source!r} (is it plugged in? see v4l2-ctl --list-devices)")
        if width and height:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._capture = capture
        self._lock = threading.Lock()
        self.frames_read = 0

    @classmethod
    def from_url(cls, url: DeviceURL, context) -> OpenCvCamera:
        source: int | str
        if url.netloc:
            if not url.netloc.isdigit():
                raise DriverUnavailable(f"camera: {url.raw}: expected a camera number such as opencv://0")
            source = int(url.netloc)
        elif url.path:
            source = url.path
        else:
            source = 0
        return cls(
            source,
            width=int_param(url, "width", 0, 0, 10_000),
            height=int_param(url, "height", 0, 0, 10_000),
        )

    def health(self) -> Health:
        capture = self._capture
        if capture is None or not capture.isOpened():
            return Health("error", f"camera {self.source!r} is closed or unplugged")
        return Health("ok", f"camera {self.source!r}")

    def _read(self, timeout: float) -> Image.Image:
        if self._capture is None:
            raise DeviceDisconnected("camera: closed")
        deadline = time.monotonic() + timeout
        while True:
            ok, frame = self._capture.read()
            if ok and frame is not None:
                self.frames_read += 1
                return Image.fromarray(self._cv2.cvtColor(frame, self._cv2.COLOR_BGR2RGB))
            if not self._capture.isOpened():
                raise DeviceDisconnected(f"camera: {self.source!r} went away")
            if time.monotonic() >= deadline:
                raise DeviceTimeout(f"camera: no frame from {self.source!r} within {timeout:.1f} s")
            time.sleep(0.02)

    def frame(self, timeout: float = 2.0) -> Image.Image:
        with self._lock:
            return self._read(timeout)

    def capture(self, timeout: float = 10.0) -> Image.Image:
        with self._lock:
            if isinstance(self.source, int):
                for _ in range(STALE_FRAMES):
                    self._capture.grab()
            return self._read(timeout)

    def close(self) -> None:
        with self._lock:
            if self._capture is not None:
                self._capture.release()
                self._capture = None
