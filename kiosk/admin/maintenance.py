"""Admin mode's maintenance actions, for the maintenance screen and nothing else Kivy.

``Maintenance(kiosk)`` works on the running kiosk's devices and services:

- ``devices()``: each device's health; ``test_print``, ``camera_frame``, ``speech_test``,
  ``read_code`` (the kind of code read, never its payload) and ``locker_status`` try them out;
- ``sync()``: the link to the central service and the outbox (waiting and failed by kind);
- ``config_lines()``: the configuration with secrets (tokens, keys, passwords) shown as "•••";
- ``log_lines()``: the last lines of the kiosk's log, personal data redacted;
- ``lock``: the opening hours and staff's "lock now" / "unlock" (``kiosk.admin.lock``);
- ``RESTART_EXIT_CODE``: what the app exits with when staff restart it (``Restart=always`` in
  ``deploy/systemd/motcua-kiosk.service`` starts it again).

Every action is logged as "admin: …" without personal data. Results are ``Outcome`` values with a
message id for staff and the device's own words (``detail``) when something failed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from devices.errors import DeviceError
from kiosk import logs
from kiosk.admin.hours import VIETNAM, HolidayTableError, OpeningHours
from kiosk.admin.lock import KioskLock
from kiosk.i18n import N_, translate

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

#: EX_TEMPFAIL: "try again"; systemd restarts the kiosk on any exit (``Restart=always``).
RESTART_EXIT_CODE = 75
LOG_LINES = 200
MASK = "•••"
#: A configuration key naming one of these holds a secret.
SECRET_WORDS = ("token", "secret", "password", "passwd", "key", "pin", "credential")
DEVICE_KINDS = ("printer", "camera", "qr_reader", "speaker", "locker")

DEVICE_NAMES = {
    "printer": N_("Ticket printer"),
    "camera": N_("Document camera"),
    "qr_reader": N_("QR reader"),
    "speaker": N_("Speaker"),
    "locker": N_("Result locker"),
}
STATUS_NAMES = {"ok": N_("Working"), "warning": N_("Needs attention"), "error": N_("Not working")}
NOT_INSTALLED = N_("Not installed at this kiosk.")

MSG_PRINTED = N_("Test slip printed.")
MSG_PRINT_FAILED = N_("The test slip could not be printed.")
MSG_CAMERA_OK = N_("Live picture from the camera.")
MSG_CAMERA_FAILED = N_("The camera gave no picture.")
MSG_SPOKEN = N_("Test sentence sent to the speaker.")
MSG_SPEECH_FAILED = N_("The speaker could not say the test sentence.")
SPEECH_SENTENCE = N_("This is a speech test. If you can hear this, the speaker works.")
MSG_CODE_READ = N_("Code read: {kind}.")
MSG_NO_CODE = N_("No code was read within {seconds} seconds.")
MSG_READER_FAILED = N_("The QR reader failed.")
MSG_LOCKER = N_("{count} compartments: {occupied} occupied, {open} open, {jammed} jammed.")
MSG_LOCKER_FAILED = N_("The locker does not answer.")

CODE_KINDS = {
    "cccd-2021": N_("chip ID card (CCCD)"),
    "cancuoc-2024": N_("identity card (2024)"),
    "id_card_invalid": N_("ID card code that could not be read in full"),
    "ticket": N_("queue ticket of this kiosk"),
    "dossier": N_("dossier slip of this kiosk"),
    "web": N_("web address"),
    "text": N_("other text"),
    "binary": N_("other data"),
}

TEST_SLIP_TITLE = N_("TEST SLIP")
TEST_SLIP_LINE = N_("If you can read this, the printer works.")


@dataclass(frozen=True)
class Outcome:
    ok: bool
    #: A message id for staff, formatted with ``values``.
    message: str
    values: dict = field(default_factory=dict)
    #: The device's own words when something failed (for the operator, never personal data).
    detail: str = ""

    def text(self, language: str) -> str:
        line = translate(self.message, language, **self.values)
        return f"{line}\n{self.detail}" if self.detail else line


@dataclass(frozen=True)
class DeviceRow:
    kind: str
    #: "ok", "warning", "error", or "absent" (none at this center).
    status: str
    detail: str

    @property
    def installed(self) -> bool:
        return self.status != "absent"


def code_kind(data: bytes) -> str:
    """What a scanned code is (a key of ``CODE_KINDS``), from its bytes; the bytes are not kept."""
    from kiosk import references
    from kiosk.identity.cccd import CccdError, parse_cccd

    scanned = references.parse(data)
    if scanned is not None:
        return scanned.kind
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "binary"
    try:
        return parse_cccd(text).card
    except CccdError as err:
        if err.code != "not_cccd":
            return "id_card_invalid"
    if re.match(r"(?i)^\s*https?://", text):
        return "web"
    return "text"


def is_secret(key: str) -> bool:
    words = re.split(r"[._\-]", key.lower())
    return any(word in SECRET_WORDS for word in words)


def redact_url(value: str) -> str:
    """``value`` without a password in its user part or secrets in its query; otherwise unchanged."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return value
    if not parts.scheme:
        return value
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        name = user.split(":", 1)[0]
        netloc = f"{name}:{MASK}@{host}" if ":" in user else f"{MASK}@{host}"
    pieces = []
    for piece in parts.query.split("&") if parts.query else []:
        key, equals, _ = piece.partition("=")
        pieces.append(f"{key}={MASK}" if equals and is_secret(key) else piece)
    query = "&".join(pieces)
    if netloc == parts.netloc and query == parts.query:
        return value
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _shown(key: str, value: object) -> str:
    if isinstance(value, (tuple, list, frozenset, set)):
        items = sorted(value) if isinstance(value, (frozenset, set)) else value
        text = ", ".join(str(item) for item in items)
    else:
        text = "" if value is None else str(value)
    if is_secret(key):
        return MASK if text else ""
    return redact_url(text) if "://" in text else text


def _week_lines(hours) -> list[tuple[str, str]]:
    from kiosk.config import WEEKDAYS

    lines = []
    for day, intervals in zip(WEEKDAYS, hours.week):
        shown = ", ".join(f"{a:%H:%M}-{'24:00' if b == dt.time.max else f'{b:%H:%M}'}" for a, b in intervals)
        lines.append((f"hours.{day}", shown))
    return lines


class Maintenance:
    def __init__(self, kiosk, *, lock: KioskLock | None = None):
        self.kiosk = kiosk
        self.config = kiosk.config
        if lock is None:
            try:
                hours = OpeningHours.from_config(self.config.hours)
            except HolidayTableError as err:
                log.error("%s; the opening hours ignore public holidays", err)
                hours = OpeningHours(self.config.hours)
            lock = KioskLock(hours, self.config.kiosk.data_dir)
        self.lock = lock

    # --- devices ----------------------------------------------------------------------------------

    def device(self, kind: str):
        return getattr(self.kiosk.devices, kind, None)

    def devices(self) -> list[DeviceRow]:
        rows = []
        for kind in DEVICE_KINDS:
            device = self.device(kind)
            if device is None:
                rows.append(DeviceRow(kind, "absent", ""))
                continue
            try:
                health = device.health()
                rows.append(DeviceRow(kind, health.status, health.detail))
            except Exception as err:  # health() must not raise; a driver that does is itself broken
                rows.append(DeviceRow(kind, "error", f"health check failed: {type(err).__name__}"))
        return rows

    def _absent(self, kind: str) -> Outcome:
        return Outcome(False, NOT_INSTALLED, detail=DEVICE_NAMES[kind])

    def test_print(self, language: str) -> Outcome:
        """Print a test slip (kiosk, center, time, Vietnamese text, a QR code) through the printer port."""
        from kiosk.printing.job import slip_job
        from kiosk.printing.layout import QR, Rule, Space, Text

        printer = self.device("printer")
        if printer is None:
            return self._absent("printer")
        now = dt.datetime.now(VIETNAM)
        blocks = [
            Text(translate(TEST_SLIP_TITLE, language), size_mm=5.0, bold=True, align="center"),
            Text(self.config.center.name, size_mm=2.4, align="center"),
            Rule(),
            Text(translate(TEST_SLIP_LINE, language), size_mm=3.0, align="center"),
            Text("Một Cửa · ĂÂĐÊÔƠƯ ăâđêôơư", size_mm=3.0, align="center"),
            Space(1.0),
            QR(f"MOTCUA-TEST:{self.config.kiosk.id}", size_mm=20.0),
            Text(f"{self.config.kiosk.id}  {now:%d/%m/%Y %H:%M}", size_mm=2.4, align="center"),
        ]
        try:
            job = slip_job(blocks, dots=printer.dots_per_line, text_mode=self.config.printer.text_mode)
            printer.send(job.data)
        except DeviceError as err:
            log.warning("admin: test print failed: %s", err)
            return Outcome(False, MSG_PRINT_FAILED, detail=str(err))
        log.info("admin: test slip printed (%d bytes)", len(job.data))
        return Outcome(True, MSG_PRINTED)

    def camera_frame(self, timeout: float = 2.0) -> tuple[Outcome, Image.Image | None]:
        camera = self.device("camera")
        if camera is None:
            return self._absent("camera"), None
        try:
            frame = camera.frame(timeout)
        except DeviceError as err:
            log.warning("admin: camera test failed: %s", err)
            return Outcome(False, MSG_CAMERA_FAILED, detail=str(err)), None
        log.info("admin: camera test frame %dx%d", *frame.size)
        return Outcome(True, MSG_CAMERA_OK), frame

    def speech_test(self, language: str) -> Outcome:
        speaker = self.device("speaker")
        if speaker is None:
            return self._absent("speaker")
        try:
            speaker.say(translate(SPEECH_SENTENCE, language), language)
        except DeviceError as err:
            log.warning("admin: speech test failed: %s", err)
            return Outcome(False, MSG_SPEECH_FAILED, detail=str(err))
        log.info("admin: speech test in %s", language)
        return Outcome(True, MSG_SPOKEN)

    def read_code(self, timeout: float = 10.0) -> Outcome:
        """Wait for one code at the reader and say what kind it was (a CCCD's contents are never shown)."""
        from devices.errors import DeviceTimeout

        reader = self.device("qr_reader")
        if reader is None:
            return self._absent("qr_reader")
        try:
            scan = reader.read(timeout)
        except DeviceTimeout:
            return Outcome(False, MSG_NO_CODE, {"seconds": f"{timeout:g}"})
        except DeviceError as err:
            log.warning("admin: QR reader test failed: %s", err)
            return Outcome(False, MSG_READER_FAILED, detail=str(err))
        kind = code_kind(scan.data)
        log.info("admin: QR reader test read a code of kind %s", kind)
        return Outcome(True, MSG_CODE_READ, {"kind": CODE_KINDS[kind]})

    def locker_status(self) -> Outcome:
        locker = self.device("locker")
        if locker is None:
            return self._absent("locker")
        counts = {"occupied": 0, "open": 0, "jammed": 0}
        try:
            labels = locker.compartments()
            for label in labels:
                state = locker.state(label)
                counts["occupied"] += state.occupied
                counts["open"] += state.door_open
                counts["jammed"] += state.jammed
        except DeviceError as err:
            log.warning("admin: locker check failed: %s", err)
            return Outcome(False, MSG_LOCKER_FAILED, detail=str(err))
        log.info("admin: locker checked")
        return Outcome(True, MSG_LOCKER, {"count": len(labels), **counts})

    def outcome_values(self, outcome: Outcome, language: str) -> dict:
        """``outcome.values`` with message ids among them translated (the code kind)."""
        return {k: translate(v, language) if v in CODE_KINDS.values() else v for k, v in outcome.values.items()}

    # --- the link, the configuration, the logs ----------------------------------------------------

    def sync(self):
        """The ``SyncSnapshot`` of the link to the central service, or ``None`` without one."""
        status = getattr(self.kiosk, "sync", None)
        if status is None:
            return None
        try:
            return status.snapshot()
        except Exception as err:  # a busy or closed outbox must not break the admin screen
            log.warning("admin: sync status unavailable: %s", type(err).__name__)
            return None

    def config_lines(self) -> list[tuple[str, str]]:
        """``(key, value)`` for every setting, secrets shown as "•••"."""
        lines: list[tuple[str, str]] = []
        for section in dataclasses.fields(self.config):
            value = getattr(self.config, section.name)
            if section.name == "hours":
                lines.append(("hours.lock_after_hours", str(value.lock_after_hours).lower()))
                lines += _week_lines(value)
                lines.append(("hours.closed_days", _shown("closed_days", value.closed_days)))
            elif dataclasses.is_dataclass(value):
                for item in dataclasses.fields(value):
                    key = f"{section.name}.{item.name}"
                    lines.append((key, _shown(key, getattr(value, item.name))))
            elif isinstance(value, dict):
                for name, item in value.items():
                    key = f"{section.name}.{name}"
                    lines.append((key, _shown(key, item)))
            else:
                lines.append((section.name, _shown(section.name, value)))
        return lines

    def log_lines(self, count: int = LOG_LINES) -> list[str]:
        """The last ``count`` log lines, oldest first, personal data redacted."""
        return logs.tail(self.config.kiosk.data_dir, count)

    def log_folder(self):
        return logs.log_dir(self.config.kiosk.data_dir)
