"""A flatbed or sheet-fed scanner through SANE's ``scanimage`` command (Debian package sane-utils).

URL: ``sane://DEVICE?resolution=300&mode=Gray`` where DEVICE is a name from ``scanimage -L``
(``sane://test:0`` is SANE's built-in test scanner); ``sane://`` takes the default scanner. Any other
query parameter is passed on as a scanner option, e.g. ``source=ADF`` becomes ``--source=ADF``.
The scanner is opened once at start-up (``scanimage --dont-scan``), so a missing scanner fails
loudly. A scanner has no live picture: ``frame()`` is a quick low-resolution scan.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import threading

from PIL import Image

from devices.camera import int_param
from devices.errors import DeviceDisconnected, DeviceTimeout, DriverUnavailable
from devices.ports import Camera, DeviceURL, Health

OPTION_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
OWN_PARAMS = ("resolution", "mode", "preview_resolution")


class SaneScanner(Camera):
    def __init__(self, device: str = "", resolution: int = 300, mode: str = "Gray", preview_resolution: int = 50,
                 options: dict[str, str] | None = None):
        self.tool = shutil.which("scanimage")
        if self.tool is None:
            raise DriverUnavailable("camera: scanimage is not installed (Debian package sane-utils)")
        self.device = device
        self.resolution = resolution
        self.preview_resolution = preview_resolution
        self.mode = mode
        self.options = dict(options or {})
        self.scans = 0
        self._lock = threading.Lock()
        self._scan(resolution, timeout=30.0, dont_scan=True)

    @classmethod
    def from_url(cls, url: DeviceURL, context) -> SaneScanner:
        options = {}
        for name, value in url.query.items():
            if name in OWN_PARAMS:
                continue
            if not OPTION_NAME.match(name):
                raise DriverUnavailable(f"camera: {name!r} is not a scanner option name in {url.raw}")
            options[name] = value
        return cls(
            device=url.netloc + url.path if url.netloc or url.path not in ("", "/") else "",
            resolution=int_param(url, "resolution", 300, 50, 1200),
            mode=url.param("mode", "Gray"),
            preview_resolution=int_param(url, "preview_resolution", 50, 25, 300),
            options=options,
        )

    def _command(self, resolution: int, dont_scan: bool) -> list[str]:
        cmd = [self.tool]
        if self.device:
            cmd.append(f"--device-name={self.device}")
        cmd += ["--format=pnm", f"--resolution={resolution}", f"--mode={self.mode}"]
        cmd += [f"--{name}={value}" for name, value in self.options.items()]
        if dont_scan:
            cmd.append("--dont-scan")
        return cmd

    def _scan(self, resolution: int, timeout: float, dont_scan: bool = False) -> Image.Image | None:
        name = self.device or "default scanner"
        try:
            done = subprocess.run(self._command(resolution, dont_scan), capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise DeviceTimeout(f"camera: scanner {name} did not finish within {timeout:.0f} s") from None
        except OSError as err:
            raise DriverUnavailable(f"camera: cannot run scanimage: {err.strerror}") from err
        if done.returncode != 0:
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
            reason = reason[-1] if reason else f"exit status {done.returncode}"
            error = DriverUnavailable if dont_scan else DeviceDisconnected
            raise error(f"camera: scanner {name}: {reason}")
        if dont_scan:
            return None
        try:
            image = Image.open(io.BytesIO(done.stdout))
            image.load()
        except OSError as err:
            raise DeviceDisconnected(f"camera: scanner {name} sent an unreadable picture ({err})") from err
        self.scans += 1
        return image.convert("RGB") if image.mode not in ("L", "RGB") else image

    def health(self) -> Health:
        try:
            with self._lock:
                self._scan(self.resolution, timeout=15.0, dont_scan=True)
        except (DriverUnavailable, DeviceTimeout) as err:
            return Health("error", str(err))
        return Health("ok", f"scanner {self.device or 'default'}")

    def frame(self, timeout: float = 20.0) -> Image.Image:
        with self._lock:
            return self._scan(self.preview_resolution, timeout)

    def capture(self, timeout: float = 120.0) -> Image.Image:
        with self._lock:
            return self._scan(self.resolution, timeout)
