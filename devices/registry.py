"""Choose a driver by URL, as pyserial chooses ``loop://``.

``open_device("printer", "escpos+tcp://10.0.0.5:9100", context)`` imports the driver module named in
``DRIVERS`` and calls its class's ``from_url(url, context)``. A driver that cannot start raises
``DriverUnavailable`` with a message for the operator; nothing falls back to a simulator silently.
``none://`` means the center has no such device: the kiosk works without it and says so.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from devices.errors import DriverUnavailable
from devices.ports import PORTS, Device, DeviceURL

#: kind -> scheme -> "module:Class". The class implements the kind's port and ``from_url``.
DRIVERS: dict[str, dict[str, str]] = {
    "printer": {
        "sim": "devices.printer.sim:SimulatedPrinter",
        "escpos+usb": "devices.printer.escpos_driver:EscposPrinter",
        "escpos+tcp": "devices.printer.escpos_driver:EscposPrinter",
        "escpos+serial": "devices.printer.escpos_driver:EscposPrinter",
        "file": "devices.printer.escpos_driver:EscposPrinter",
        "cups": "devices.printer.escpos_driver:EscposPrinter",
    },
    "qr_reader": {
        "sim": "devices.qr_reader.sim:SimulatedQrReader",
        "camera": "devices.qr_reader.camera:CameraQrReader",
        "serial": "devices.qr_reader.serial_scanner:SerialQrReader",
        "wedge": "devices.qr_reader.wedge:KeyboardWedgeQrReader",
    },
    "camera": {
        "sim": "devices.camera.sim:SimulatedCamera",
        "opencv": "devices.camera.opencv:OpenCvCamera",
        "sane": "devices.camera.sane:SaneScanner",
        "folder": "devices.camera.folder:WatchedFolderCamera",
    },
    "speaker": {
        "sim": "devices.speaker.sim:SimulatedSpeaker",
        "espeak": "devices.speaker.espeak:EspeakSpeaker",
    },
    "locker": {
        "sim": "devices.locker.sim:SimulatedLocker",
        "serial": "devices.locker.serial_locker:SerialLocker",
    },
}


@dataclass
class DeviceContext:
    """What drivers may need beyond their URL."""

    data_dir: Path
    paper_width_mm: int = 80
    #: Other devices already opened, by kind (the camera QR reader shares the camera).
    devices: dict[str, Device] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


def parse_url(raw: str) -> DeviceURL:
    parts = urlsplit(raw)
    if not parts.scheme:
        raise ValueError(f"'{raw}' is not a device URL (expected e.g. 'sim://' or 'escpos+usb://04b8:0202')")
    return DeviceURL(
        raw=raw,
        scheme=parts.scheme.lower(),
        netloc=parts.netloc,
        path=unquote(parts.path),
        query=dict(parse_qsl(parts.query)),
    )


def check_url(kind: str, raw: str) -> DeviceURL:
    """Validate a URL for ``kind`` without opening anything; raises ``ValueError`` with the problem."""
    if kind not in PORTS:
        raise ValueError(f"unknown device kind '{kind}' (expected one of {', '.join(PORTS)})")
    url = parse_url(raw)
    if url.scheme != "none" and url.scheme not in DRIVERS[kind]:
        known = ", ".join(sorted([*DRIVERS[kind], "none"]))
        raise ValueError(f"unknown driver '{url.scheme}' (expected one of {known})")
    return url


def open_device(kind: str, raw: str, context: DeviceContext) -> Device | None:
    """Open the driver for ``raw``; ``None`` for ``none://`` (no such device at this center)."""
    try:
        url = check_url(kind, raw)
    except ValueError as err:
        raise DriverUnavailable(f"{kind}: {err}") from err
    if url.scheme == "none":
        return None
    module_name, _, class_name = DRIVERS[kind][url.scheme].partition(":")
    try:
        driver = getattr(importlib.import_module(module_name), class_name)
    except ImportError as err:
        raise DriverUnavailable(f"{kind}: driver '{url.scheme}' cannot load: {err}") from err
    device = driver.from_url(url, context)
    context.devices[kind] = device
    return device
