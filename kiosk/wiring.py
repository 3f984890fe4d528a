"""The one place that builds the kiosk from its configuration.

``build(config)`` opens every configured device, the central API client and the outbox, and hands
them to the use cases. The app, the CLI and the tests all start here; nothing does I/O at import time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from devices.errors import DeviceError
from devices.ports import Camera, Device, Health, Printer, QrReader, ResultLocker, Speaker
from devices.registry import DeviceContext, open_device
from kiosk.config import Config

log = logging.getLogger(__name__)


@dataclass
class Devices:
    """The kiosk's devices; ``None`` where the center has none (``none://``)."""

    qr_reader: QrReader | None = None
    camera: Camera | None = None
    printer: Printer | None = None
    speaker: Speaker | None = None
    locker: ResultLocker | None = None

    def items(self) -> list[tuple[str, Device | None]]:
        return [(k, getattr(self, k)) for k in ("qr_reader", "camera", "printer", "speaker", "locker")]

    def health(self) -> dict[str, Health]:
        report = {}
        for kind, device in self.items():
            if device is None:
                report[kind] = Health("warning", "not installed at this center")
            else:
                report[kind] = device.health()
        return report

    def close(self) -> None:
        for _kind, device in self.items():
            if device is not None:
                try:
                    device.close()
                except DeviceError as err:  # closing must never stop a shutdown
                    log.warning("closing %s failed: %s", _kind, err)


@dataclass
class Kiosk:
    config: Config
    devices: Devices
    extras: dict[str, object] = field(default_factory=dict)

    def close(self) -> None:
        self.devices.close()


# Cameras open before the QR reader, which may read through the camera.
OPEN_ORDER = ("camera", "qr_reader", "printer", "speaker", "locker")


def open_devices(config: Config) -> Devices:
    context = DeviceContext(
        data_dir=config.kiosk.data_dir,
        paper_width_mm=config.printer.paper_width_mm,
    )
    devices = Devices()
    try:
        for kind in OPEN_ORDER:
            setattr(devices, kind, open_device(kind, config.devices[kind], context))
    except BaseException:
        devices.close()
        raise
    return devices


def build(config: Config) -> Kiosk:
    config.kiosk.data_dir.mkdir(parents=True, exist_ok=True)
    return Kiosk(config=config, devices=open_devices(config))
