"""The simulated document camera: replays picture files from a folder, or a built-in sample page.

URL: ``sim://`` (a rendered sample page), ``sim:///path/to/folder?loop=1&latency_ms=50``.

Files are replayed in name order. ``frame()`` shows the current picture (the preview); ``capture()``
returns it and moves on to the next one. At the end of the folder it starts again with ``loop=1``,
otherwise ``capture`` raises ``DeviceTimeout`` (no more pages). ``latency_ms`` delays every frame
like a real camera's exposure and transfer. Everything served is recorded in ``served`` (file
names only). Faults: ``fault=no_device`` in the URL or ``set_fault("no_device")`` makes every call
raise ``DeviceDisconnected`` and ``health()`` report an error until ``clear_fault()``.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from devices.camera import PICTURE_SUFFIXES, int_param
from devices.errors import DeviceDisconnected, DeviceTimeout, DriverUnavailable
from devices.ports import Camera, DeviceURL, Health

FAULTS = ("no_device",)
SAMPLE_LINES = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "TỜ KHAI MẪU",
    "Trang mẫu của máy ảnh mô phỏng.",
)


def sample_page() -> Image.Image:
    """A small printed-looking page, so ``sim://`` works without any files."""
    page = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(page)
    try:
        font = ImageFont.truetype("DejaVuSerif.ttf", 32)
    except OSError:
        font = ImageFont.load_default()
    y = 160
    for line in SAMPLE_LINES:
        draw.text((120, y), line, font=font, fill=0)
        y += 60
    return page.convert("RGB")


class SimulatedCamera(Camera):
    def __init__(self, folder: Path | None = None, loop: bool = False, latency_s: float = 0.0, fault: str | None = None):
        self.folder = folder
        self.loop = loop
        self.latency_s = latency_s
        self.served: list[str] = []
        self._files = self._scan() if folder is not None else []
        if folder is not None and not self._files:
            raise DriverUnavailable(f"camera: sim folder {folder} has no pictures ({', '.join(PICTURE_SUFFIXES)})")
        self._index = 0
        self._fault: str | None = None
        self._lock = threading.Lock()
        if fault:
            self.set_fault(fault)

    @classmethod
    def from_url(cls, url: DeviceURL, context) -> SimulatedCamera:
        folder = Path(url.path) if url.path not in ("", "/") else None
        if folder is not None and not folder.is_dir():
            raise DriverUnavailable(f"camera: sim folder {folder} does not exist")
        fault = url.param("fault")
        if fault is not None and fault not in FAULTS:
            raise DriverUnavailable(f"camera: unknown fault {fault!r} (expected one of {', '.join(FAULTS)})")
        return cls(
            folder=folder,
            loop=url.param("loop", "0") in ("1", "true", "yes"),
            latency_s=int_param(url, "latency_ms", 0, 0, 10_000) / 1000.0,
            fault=fault,
        )

    def _scan(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if p.suffix.lower() in PICTURE_SUFFIXES and p.is_file())

    def set_fault(self, fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r} (expected one of {', '.join(FAULTS)})")
        self._fault = fault

    def clear_fault(self) -> None:
        self._fault = None

    def health(self) -> Health:
        if self._fault == "no_device":
            return Health("error", "simulated camera unplugged")
        if self.folder is not None and not self.loop and self._index >= len(self._files):
            return Health("warning", "no more pictures to replay")
        return Health("ok", f"replaying {len(self._files)} pictures" if self.folder else "sample page")

    def _current(self, timeout: float) -> tuple[Image.Image, str]:
        if self._fault == "no_device":
            raise DeviceDisconnected("camera: simulated camera unplugged")
        if self.latency_s:
            if self.latency_s > timeout:
                time.sleep(timeout)
                raise DeviceTimeout(f"camera: no frame within {timeout:.1f} s")
            time.sleep(self.latency_s)
        if self.folder is None:
            return sample_page(), "sample"
        if self._index >= len(self._files):
            if not self.loop:
                raise DeviceTimeout("camera: no more pictures to replay")
            self._index = 0
        path = self._files[self._index]
        try:
            with Image.open(path) as image:
                return image.convert("RGB"), path.name
        except OSError as err:
            raise DeviceDisconnected(f"camera: cannot read replay picture {path.name}: {err}") from err

    def frame(self, timeout: float = 2.0) -> Image.Image:
        with self._lock:
            image, _name = self._current(timeout)
            return image

    def capture(self, timeout: float = 10.0) -> Image.Image:
        with self._lock:
            image, name = self._current(timeout)
            self.served.append(name)
            self._index += 1
            return image
