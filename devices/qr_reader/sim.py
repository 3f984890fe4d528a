"""The simulated QR reader: replays payloads and pictures as if a citizen showed them.

URL: ``sim://?folder=/path/to/scans&latency=0.2&loop=1&fault=timeout``

* ``folder``: files replayed in name order, one per ``read``: ``*.txt`` / ``*.bin`` are payloads (the
  file's bytes, one trailing newline removed), pictures (``*.png``, ``*.jpg``…) go through the real
  decoding pipeline; a picture without a readable code reads as nothing (the reader keeps waiting).
* ``latency``: seconds each read takes (a hand moving the card into view).
* ``loop``: start again from the first file when the folder is used up.
* ``fault``: start failing: ``timeout`` (nothing is ever read) or ``disconnected`` (the reader is
  unplugged: every read raises ``DeviceDisconnected``).

Tests and demos also ``push(payload)`` / ``push_image(picture)`` and ``set_fault``/``clear_fault``.
Every code handed out is recorded in ``scans``. A picture whose code is found but cannot be read makes
the reader ``struggling`` until the next picture, as a camera does for a card held too far away, and,
as the camera reader does, the pipeline's slowest step then runs on it in the background: a code it
reads is handed out by a later ``read`` unless another picture or payload came first.
"""

from __future__ import annotations

import collections
import threading
import time
from pathlib import Path

from devices.errors import DeviceDisconnected, DeviceTimeout, DriverUnavailable
from devices.ports import DeviceURL, Health, QrReader, QrScan
from devices.qr_reader.background import BackgroundRead

FAULTS = ("timeout", "disconnected")
PAYLOAD_SUFFIXES = (".txt", ".bin")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif", ".tif", ".tiff")


class SimulatedQrReader(QrReader):
    def __init__(self, folder: Path | None = None, latency: float = 0.0, loop: bool = False,
                 fault: str | None = None):
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault '{fault}' (expected one of {', '.join(FAULTS)})")
        self.latency = latency
        self.loop = loop
        self.scans: list[QrScan] = []
        self._fault = fault
        self._queue: collections.deque = collections.deque()
        self._cond = threading.Condition()
        self._files: list[Path] = []
        self._next_file = 0
        self._preview = None
        self._decoder = None
        self._closed = False
        #: The last picture showed a code the pipeline could not read (see ``struggling``).
        self._unread = False
        #: The pipeline's slowest step on that picture, as the camera reader runs it.
        self.background = BackgroundRead(None, on_found=self._wake)
        if folder is not None:
            self._files = sorted(p for p in folder.iterdir()
                                 if p.suffix.lower() in PAYLOAD_SUFFIXES + IMAGE_SUFFIXES)

    @classmethod
    def from_url(cls, url: DeviceURL, context) -> "SimulatedQrReader":
        folder = url.param("folder")
        path = Path(folder).expanduser() if folder else None
        if path is not None and not path.is_dir():
            raise DriverUnavailable(f"qr_reader: sim folder '{folder}' is not a directory")
        try:
            latency = float(url.param("latency", "0"))
        except ValueError:
            raise DriverUnavailable(f"qr_reader: latency must be seconds, got '{url.param('latency')}'") from None
        if latency < 0:
            raise DriverUnavailable("qr_reader: latency must not be negative")
        fault = url.param("fault")
        if fault is not None and fault not in FAULTS:
            raise DriverUnavailable(f"qr_reader: unknown fault '{fault}' (expected one of {', '.join(FAULTS)})")
        loop = url.param("loop", "0").lower() in ("1", "true", "yes")
        return cls(path, latency=latency, loop=loop, fault=fault)

    # --- what tests and demos do --------------------------------------------------------------

    def push(self, payload: str | bytes) -> None:
        """A scanner-style read: the payload arrives as it is."""
        data = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
        with self._cond:
            self._queue.append(("payload", data))
            self._cond.notify_all()

    def push_image(self, picture) -> None:
        """A camera-style read: ``picture`` (path, bytes, Pillow image or array) is decoded."""
        with self._cond:
            self._queue.append(("image", picture))
            self._cond.notify_all()

    def set_fault(self, fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault '{fault}' (expected one of {', '.join(FAULTS)})")
        with self._cond:
            self._fault = fault
            self._cond.notify_all()

    def clear_fault(self) -> None:
        with self._cond:
            self._fault = None
            self._cond.notify_all()

    # --- the port -----------------------------------------------------------------------------

    def read(self, timeout: float) -> QrScan:
        deadline = time.monotonic() + timeout
        while True:
            item = self._take(deadline)
            if self.latency:
                ready = time.monotonic() + self.latency
                if ready > deadline:
                    self._sleep_until(deadline)
                    with self._cond:
                        self._queue.appendleft(item)
                    raise DeviceTimeout(f"qr_reader: nothing read in {timeout:g} s")
                self._sleep_until(ready)
            scan = self._scan_of(item)
            if scan is not None:
                self.scans.append(scan)
                return scan
            if time.monotonic() >= deadline:
                raise DeviceTimeout(f"qr_reader: nothing read in {timeout:g} s")

    def preview(self):
        return self._preview

    def struggling(self) -> bool:
        """The last picture held up showed a code that could not be read (each picture stands for a
        card held still in view, so one is enough)."""
        return self._unread

    def health(self) -> Health:
        if self._fault == "disconnected":
            return Health("error", "simulated QR reader unplugged")
        if self._fault == "timeout":
            return Health("warning", "simulated QR reader reads nothing")
        return Health("ok", "simulated QR reader")

    def close(self) -> None:
        self.background.forget()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # --- inside -------------------------------------------------------------------------------

    def _take(self, deadline: float):
        with self._cond:
            while True:
                if self._closed:
                    raise DeviceDisconnected("qr_reader: closed")
                if self._fault == "disconnected":
                    raise DeviceDisconnected("qr_reader: simulated reader unplugged")
                if self._fault is None:
                    if self._queue:
                        return self._queue.popleft()
                    found = self.background.take()
                    if found is not None:
                        return ("read", found)
                    item = self._next_from_folder()
                    if item is not None:
                        return item
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DeviceTimeout("qr_reader: nothing read in time")
                self._cond.wait(remaining)

    def _next_from_folder(self):
        if not self._files:
            return None
        if self._next_file >= len(self._files):
            if not self.loop:
                return None
            self._next_file = 0
        path = self._files[self._next_file]
        self._next_file += 1
        if path.suffix.lower() in PAYLOAD_SUFFIXES:
            data = path.read_bytes()
            return ("payload", data[:-1] if data.endswith(b"\n") else data)
        return ("image", path)

    def _sleep_until(self, until: float) -> None:
        with self._cond:
            while not self._closed and (remaining := until - time.monotonic()) > 0:
                self._cond.wait(remaining)

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def _scan_of(self, item) -> QrScan | None:
        kind, value = item
        if kind in ("payload", "read"):  # scanned, or the last picture read in the background
            self._unread = False
            self.background.forget()
            return QrScan(value, source="sim")
        from devices.qr_reader.decode import ImageError, QrDecoder, load_gray

        if self._decoder is None:
            self._decoder = QrDecoder(deep_seconds=0)  # the deep step runs in the background
        try:
            gray = load_gray(value)
        except ImageError:
            self.background.forget()
            return None
        self._preview = _preview_image(gray)
        found = self._decoder.decode(gray)
        self._unread = found.accepted is None and found.located
        if self._unread:
            self.background.start(gray)
        else:
            self.background.forget()
        return QrScan(found.accepted.data, source="sim") if found.accepted else None


def _preview_image(gray):
    from PIL import Image

    return Image.fromarray(gray).convert("RGB")
