"""Document cameras and scanners: the ``camera`` port's drivers.

``sim://`` replays picture files (or a built-in sample page), ``opencv://0`` is a USB/V4L2 camera,
``sane://DEVICE`` a flatbed or sheet-fed scanner through ``scanimage``, ``folder:///DIR`` pictures a
network scanner drops into a folder ("scan to folder").
"""

from __future__ import annotations

from devices.errors import DriverUnavailable
from devices.ports import DeviceURL

PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".pnm", ".pgm", ".ppm")


def int_param(url: DeviceURL, name: str, default: int, low: int, high: int) -> int:
    raw = url.param(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise DriverUnavailable(f"camera: {name} must be a whole number, got {raw!r} in {url.raw}") from None
    if not low <= value <= high:
        raise DriverUnavailable(f"camera: {name} must be between {low} and {high}, got {value} in {url.raw}")
    return value
