"""The ticket tests' rig: the real central service on loopback and kiosks built against it.

``CenterService`` runs ``central.embedded`` on SQLite in a test folder; it can be stopped and started
again on the same port (a power cut at the center) and answers the staff's questions (alerts, the
ticket table) over its real HTTP API. ``kiosk_settings`` makes the configuration of a kiosk on simulators
that talks to it.
"""

from __future__ import annotations

from pathlib import Path

import requests
from center_rig import LiveCenter

from kiosk import config as kiosk_config

NO_SCREEN_DEVICES = {"printer": "sim://", "qr_reader": "none://", "camera": "none://", "speaker": "sim://",
                     "locker": "none://"}


class CenterService(LiveCenter):
    def ticket(self, reference: str) -> dict:
        response = requests.get(f"{self.url}/api/v1/tickets/{reference}",
                                headers={"Authorization": f"Bearer {self.kiosk_token}"}, timeout=10)
        response.raise_for_status()
        return response.json()

    def issue(self, service: str) -> dict:
        """A number drawn by another kiosk of the center."""
        import uuid

        response = requests.post(f"{self.url}/api/v1/tickets", json={"service": service, "priority": False},
                                 headers={"Authorization": f"Bearer {self.kiosk_token}",
                                          "Idempotency-Key": str(uuid.uuid4())}, timeout=10)
        response.raise_for_status()
        return response.json()

    def queue(self) -> list[dict]:
        return self.staff("/queue")

    def close(self) -> None:
        self.stop()


def kiosk_settings(data_dir: Path, center: CenterService, *, token: str | None = None, prefix: str = "K1",
                 printer: str = "sim://", show_without_printer: bool = False, text_mode: str = "raster",
                 paper: int = 80, devices: dict | None = None):
    return kiosk_config.from_dict(
        {
            "kiosk": {"data_dir": str(data_dir), "offline_prefix": prefix,
                      "show_ticket_without_printer": show_without_printer},
            "central": {"url": center.url, "token": token or center.kiosk_token, "embedded": False,
                        "connect_timeout_s": 0.5, "read_timeout_s": 5.0},
            "printer": {"text_mode": text_mode, "paper_width_mm": paper},
            "devices": {**NO_SCREEN_DEVICES, **(devices or {}), "printer": printer},
        },
        "<ticket tests>",
    )


def number_band(picture, avoid: tuple[int, int, int, int] | None = None):
    """The band of the picture holding its tallest line of print (outside ``avoid``, the QR code's box)."""
    import numpy as np

    grey = picture.convert("L")
    rows = (np.asarray(grey) < 128).any(axis=1)
    bands, start = [], None
    for y, inked in enumerate(list(rows) + [False]):
        if inked and start is None:
            start = y
        elif not inked and start is not None:
            if avoid is None or y <= avoid[1] or start >= avoid[3]:
                bands.append((y - start, start, y))
            start = None
    height, top, bottom = max(bands)
    return grey.crop((0, max(0, top - 16), grey.width, bottom + 16)), height


def read_number(picture, avoid=None) -> list[str]:
    """What Tesseract reads in the ticket's number, at a few print sizes (one line, capitals and digits)."""
    import pytesseract
    from PIL import Image

    band, height = number_band(picture, avoid)
    readings = []
    for cap_px in (24, 32, 40):
        scale = cap_px / height
        small = band.resize((max(1, round(band.width * scale)), max(1, round(band.height * scale))), Image.LANCZOS)
        text = pytesseract.image_to_string(
            small, config="--psm 7 -c tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
        readings.append(text.strip())
    return readings


def wait_until(condition, timeout: float = 30.0, step: float = 0.05):
    """Poll ``condition()`` until it returns something true; that value, or ``None`` after ``timeout``."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)
