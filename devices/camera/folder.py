"""Pictures that a network scanner drops into a folder ("scan to folder").

URL: ``folder:///srv/kiosk/scans?after=delete&settle_ms=500``. Only files that appear after the
driver starts are taken, oldest first, once their size has stopped changing for ``settle_ms`` (the
scanner may still be writing). ``after=delete`` (default) removes a file once it has been read,
so citizens' pages do not pile up; ``after=keep`` leaves it and remembers its name. ``frame()``
shows the next waiting picture without taking it; ``capture()`` takes it.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from PIL import Image

from devices.camera import PICTURE_SUFFIXES, int_param
from devices.errors import DeviceDisconnected, DeviceTimeout, DriverUnavailable
from devices.ports import Camera, DeviceURL, Health

POLL_S = 0.1


class WatchedFolderCamera(Camera):
    def __init__(self, folder: Path, delete_after: bool = True, settle_s: float = 0.5):
        if not folder.is_dir():
            raise DriverUnavailable(f"camera: scan folder {folder} does not exist")
        if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
            raise DriverUnavailable(f"camera: no permission to read and clear scan folder {folder}")
        self.folder = folder
        self.delete_after = delete_after
        self.settle_s = settle_s
        self.taken: list[str] = []
        self._seen = {p.name for p in self._pictures()}
        self._sizes: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: DeviceURL, context) -> WatchedFolderCamera:
        if not url.path:
            raise DriverUnavailable(f"camera: {url.raw}: expected a folder, e.g. folder:///srv/kiosk/scans")
        after = url.param("after", "delete")
        if after not in ("delete", "keep"):
            raise DriverUnavailable(f"camera: after must be delete or keep, got {after!r}")
        return cls(Path(url.path), delete_after=after == "delete",
                   settle_s=int_param(url, "settle_ms", 500, 0, 60_000) / 1000.0)

    def _pictures(self) -> list[Path]:
        try:
            entries = list(os.scandir(self.folder))
        except OSError as err:
            raise DeviceDisconnected(f"camera: scan folder {self.folder} cannot be read: {err.strerror}") from err
        pictures = [Path(e.path) for e in entries if e.is_file() and Path(e.name).suffix.lower() in PICTURE_SUFFIXES
                    and not e.name.startswith(".")]
        return sorted(pictures, key=lambda p: (p.stat().st_mtime, p.name))

    def _ready(self) -> Path | None:
        """The oldest new picture whose size has settled."""
        now = time.monotonic()
        for path in self._pictures():
            if path.name in self._seen:
                continue
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue
            first = self._sizes.get(path.name)
            if first is None or first[0] != size:
                self._sizes[path.name] = (size, now)
                if self.settle_s > 0:
                    continue
            elif now - first[1] < self.settle_s or size == 0:
                continue
            return path
        return None

    def _wait(self, timeout: float) -> Path:
        deadline = time.monotonic() + timeout
        while True:
            path = self._ready()
            if path is not None:
                return path
            if time.monotonic() >= deadline:
                raise DeviceTimeout(f"camera: no new scan in {self.folder} within {timeout:.1f} s")
            time.sleep(POLL_S)

    def _load(self, path: Path) -> Image.Image:
        try:
            with Image.open(path) as image:
                image.load()
                return image.convert("RGB") if image.mode not in ("L", "RGB") else image.copy()
        except OSError as err:
            raise DeviceDisconnected(f"camera: scan {path.name} is not a readable picture ({err})") from err

    def health(self) -> Health:
        if not self.folder.is_dir():
            return Health("error", f"scan folder {self.folder} is gone")
        return Health("ok", f"watching {self.folder}")

    def frame(self, timeout: float = 2.0) -> Image.Image:
        with self._lock:
            return self._load(self._wait(timeout))

    def capture(self, timeout: float = 10.0) -> Image.Image:
        with self._lock:
            path = self._wait(timeout)
            self._seen.add(path.name)
            self._sizes.pop(path.name, None)
            try:
                image = self._load(path)
            finally:
                if self.delete_after:
                    try:
                        path.unlink()
                    except OSError:
                        pass
            self.taken.append(path.name)
            return image
