"""Kiosk configuration, read from TOML.

A file only needs the keys it changes; everything else comes from ``DEFAULTS``, which runs the whole
kiosk on simulators. Every problem is reported as one ``ConfigError`` line naming the key, e.g.
``config: kiosk.idle_timeout_s: must be a number of seconds between 20 and 3600, got 'soon'``.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from devices.ports import PORTS
from devices.registry import check_url


class ConfigError(Exception):
    """A configuration problem, as one line for the operator."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"config: {key}: {problem}")
        self.key = key
        self.problem = problem


def default_data_dir() -> str:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "motcua-kiosk")


DEFAULTS: dict[str, Any] = {
    "center": {
        "code": "HT01",
        "name": "Trung tâm Phục vụ hành chính công xã Hợp Thịnh",
        "hotline": "0222 3 868 868",
        "address": "Xã Hợp Thịnh, tỉnh Bắc Ninh",
    },
    "kiosk": {
        "id": "kiosk-01",
        "language": "vi",
        "languages": ["vi", "en"],
        "screen_width_px": 1080,
        "screen_height_px": 1920,
        "screen_diagonal_in": 21.5,
        "fullscreen": True,
        "idle_timeout_s": 60,
        "idle_warning_s": 30,
        "data_dir": "",
        "priority_age": 75,
        "show_ticket_without_printer": False,
        "high_contrast": False,
        "large_text": False,
        "offline_prefix": "K1",
        "outbox_key_file": "",
    },
    "central": {
        "url": "http://127.0.0.1:8765",
        "token": "",
        "connect_timeout_s": 2.0,
        "read_timeout_s": 5.0,
        "embedded": True,
    },
    "printer": {
        "paper_width_mm": 80,
        "text_mode": "raster",
    },
    "devices": {
        "qr_reader": "sim://",
        "camera": "sim://",
        "printer": "sim://",
        "speaker": "sim://",
        "locker": "sim://",
    },
    "hours": {
        "lock_after_hours": True,
        "mon": ["07:00-17:30"],
        "tue": ["07:00-17:30"],
        "wed": ["07:00-17:30"],
        "thu": ["07:00-17:30"],
        "fri": ["07:00-17:30"],
        "sat": [],
        "sun": [],
        "closed_days": [],
    },
}

LANGUAGES = ("vi", "en")
TEXT_MODES = ("raster", "tcvn3", "cp1258")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class CenterConfig:
    code: str
    name: str
    hotline: str
    address: str


@dataclass(frozen=True)
class KioskConfig:
    id: str
    language: str
    languages: tuple[str, ...]
    screen_width_px: int
    screen_height_px: int
    screen_diagonal_in: float
    fullscreen: bool
    idle_timeout_s: float
    idle_warning_s: float
    data_dir: Path
    priority_age: int
    show_ticket_without_printer: bool
    high_contrast: bool
    large_text: bool
    #: Offline ticket numbers read ``<prefix>-A001``; every kiosk of a center needs its own prefix.
    offline_prefix: str = "K1"
    #: Key sealing personal data in the outbox; empty: ``outbox.key`` in the data dir.
    outbox_key_file: Path | None = None

    @property
    def px_per_mm(self) -> float:
        diagonal_px = (self.screen_width_px**2 + self.screen_height_px**2) ** 0.5
        return diagonal_px / (self.screen_diagonal_in * 25.4)


@dataclass(frozen=True)
class CentralConfig:
    url: str
    token: str
    connect_timeout_s: float
    read_timeout_s: float
    embedded: bool


@dataclass(frozen=True)
class PrinterConfig:
    paper_width_mm: int
    text_mode: str


@dataclass(frozen=True)
class HoursConfig:
    """When the kiosk serves citizens (Vietnam time); outside these hours it is locked."""

    lock_after_hours: bool
    #: Opening intervals per weekday, Monday first: ((start, end), ...).
    week: tuple[tuple[tuple[dt.time, dt.time], ...], ...]
    #: Local closures on top of the public holidays in ``assets/catalog/holidays.json``.
    closed_days: frozenset[dt.date]


@dataclass(frozen=True)
class Config:
    center: CenterConfig
    kiosk: KioskConfig
    central: CentralConfig
    printer: PrinterConfig
    devices: dict[str, str]
    hours: HoursConfig = field(default_factory=lambda: _hours(DEFAULTS))
    source: str = "<defaults>"


def _merge(base: dict[str, Any], override: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        path = f"{prefix}{key}"
        if key not in base:
            raise ConfigError(path, f"unknown key (known: {', '.join(sorted(base))})")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(path, f"must be a table, got {value!r}")
            merged[key] = _merge(base[key], value, f"{path}.")
        else:
            merged[key] = value
    return merged


def _text(raw: dict, section: str, key: str, *, allow_empty: bool = False) -> str:
    value = raw[section][key]
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ConfigError(f"{section}.{key}", f"must be a non-empty string, got {value!r}")
    return value.strip()


def _number(raw: dict, section: str, key: str, low: float, high: float, unit: str, *, integer=False):
    value = raw[section][key]
    ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type or not low <= value <= high:
        kind = "a whole number" if integer else "a number"
        raise ConfigError(f"{section}.{key}", f"must be {kind} of {unit} between {low:g} and {high:g}, got {value!r}")
    return value


def _flag(raw: dict, section: str, key: str) -> bool:
    value = raw[section][key]
    if not isinstance(value, bool):
        raise ConfigError(f"{section}.{key}", f"must be true or false, got {value!r}")
    return value


def _interval(key: str, text: object) -> tuple[dt.time, dt.time]:
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text) if isinstance(text, str) else None
    problem = f'must be a list of "HH:MM-HH:MM" opening times, got {text!r}'
    if not match:
        raise ConfigError(key, problem)
    h1, m1, h2, m2 = map(int, match.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
        raise ConfigError(key, problem)
    start, end = dt.time(h1, m1), dt.time.max if h2 == 24 else dt.time(h2, m2)
    if start >= end:
        raise ConfigError(key, f"opening time {text!r} ends before it starts")
    return start, end


def _hours(raw: dict) -> HoursConfig:
    week = []
    for day in WEEKDAYS:
        key = f"hours.{day}"
        value = raw["hours"][day]
        if not isinstance(value, list):
            raise ConfigError(key, f'must be a list of "HH:MM-HH:MM" opening times (empty: closed), got {value!r}')
        intervals = sorted(_interval(key, item) for item in value)
        for (_s1, end), (start, _e2) in zip(intervals, intervals[1:]):
            if start < end:
                raise ConfigError(key, "opening times overlap")
        week.append(tuple(intervals))
    closed = raw["hours"]["closed_days"]
    days = set()
    for item in closed if isinstance(closed, list) else [closed]:
        try:
            if isinstance(item, dt.datetime):
                item = item.date()
            days.add(item if isinstance(item, dt.date) else dt.date.fromisoformat(item))
        except (TypeError, ValueError):
            raise ConfigError("hours.closed_days", f"must be a list of dates (YYYY-MM-DD), got {item!r}") from None
    return HoursConfig(
        lock_after_hours=_flag(raw, "hours", "lock_after_hours"),
        week=tuple(week),
        closed_days=frozenset(days),
    )


def from_dict(data: dict[str, Any], source: str = "<dict>") -> Config:
    """Validate ``data`` (a parsed TOML document) over the defaults."""
    raw = _merge(DEFAULTS, data)
    language = _text(raw, "kiosk", "language")
    languages = raw["kiosk"]["languages"]
    if not isinstance(languages, list) or not languages or any(l not in LANGUAGES for l in languages):
        raise ConfigError("kiosk.languages", f"must be a list drawn from {', '.join(LANGUAGES)}, got {languages!r}")
    if language not in languages:
        raise ConfigError("kiosk.language", f"must be one of kiosk.languages {languages}, got {language!r}")
    warning = _number(raw, "kiosk", "idle_warning_s", 20, 600, "seconds")
    timeout = _number(raw, "kiosk", "idle_timeout_s", 20, 3600, "seconds")
    data_dir = raw["kiosk"]["data_dir"] or default_data_dir()
    if not isinstance(data_dir, str):
        raise ConfigError("kiosk.data_dir", f"must be a path, got {data_dir!r}")

    prefix = raw["kiosk"]["offline_prefix"]
    if not isinstance(prefix, str) or not re.fullmatch(r"[A-Z][A-Z0-9]{0,3}", prefix):
        raise ConfigError(
            "kiosk.offline_prefix",
            f"must be 1 to 4 capital letters or digits starting with a letter, unique per kiosk, got {prefix!r}",
        )
    key_file = raw["kiosk"]["outbox_key_file"]
    if not isinstance(key_file, str):
        raise ConfigError("kiosk.outbox_key_file", f"must be a path (or empty), got {key_file!r}")

    url = _text(raw, "central", "url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("central.url", f"must be an http:// or https:// URL, got {url!r}")

    text_mode = raw["printer"]["text_mode"]
    if text_mode not in TEXT_MODES:
        raise ConfigError("printer.text_mode", f"must be one of {', '.join(TEXT_MODES)}, got {text_mode!r}")
    paper = raw["printer"]["paper_width_mm"]
    if paper not in (58, 80):
        raise ConfigError("printer.paper_width_mm", f"must be 58 or 80, got {paper!r}")

    devices: dict[str, str] = {}
    for kind in PORTS:
        value = raw["devices"][kind]
        if not isinstance(value, str):
            raise ConfigError(f"devices.{kind}", f"must be a device URL string, got {value!r}")
        try:
            check_url(kind, value)
        except ValueError as err:
            raise ConfigError(f"devices.{kind}", str(err)) from None
        devices[kind] = value

    return Config(
        center=CenterConfig(
            code=_text(raw, "center", "code"),
            name=_text(raw, "center", "name"),
            hotline=_text(raw, "center", "hotline", allow_empty=True),
            address=_text(raw, "center", "address", allow_empty=True),
        ),
        kiosk=KioskConfig(
            id=_text(raw, "kiosk", "id"),
            language=language,
            languages=tuple(languages),
            screen_width_px=_number(raw, "kiosk", "screen_width_px", 320, 7680, "pixels", integer=True),
            screen_height_px=_number(raw, "kiosk", "screen_height_px", 320, 7680, "pixels", integer=True),
            screen_diagonal_in=_number(raw, "kiosk", "screen_diagonal_in", 7, 100, "inches"),
            fullscreen=_flag(raw, "kiosk", "fullscreen"),
            idle_timeout_s=timeout,
            idle_warning_s=warning,
            data_dir=Path(data_dir).expanduser(),
            priority_age=_number(raw, "kiosk", "priority_age", 50, 120, "years", integer=True),
            show_ticket_without_printer=_flag(raw, "kiosk", "show_ticket_without_printer"),
            high_contrast=_flag(raw, "kiosk", "high_contrast"),
            large_text=_flag(raw, "kiosk", "large_text"),
            offline_prefix=prefix,
            outbox_key_file=Path(key_file).expanduser() if key_file.strip() else None,
        ),
        central=CentralConfig(
            url=url.rstrip("/"),
            token=_text(raw, "central", "token", allow_empty=True),
            connect_timeout_s=_number(raw, "central", "connect_timeout_s", 0.1, 60, "seconds"),
            read_timeout_s=_number(raw, "central", "read_timeout_s", 0.1, 300, "seconds"),
            embedded=_flag(raw, "central", "embedded"),
        ),
        printer=PrinterConfig(paper_width_mm=paper, text_mode=text_mode),
        devices=devices,
        hours=_hours(raw),
        source=source,
    )


def load(path: str | os.PathLike | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Read ``path`` (or ``$KIOSK_CONFIG``, or nothing: the defaults) and apply ``overrides``."""
    path = path or os.environ.get("KIOSK_CONFIG")
    data: dict[str, Any] = {}
    source = "<defaults>"
    if path:
        source = str(path)
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(source, "file not found") from None
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(source, f"not valid TOML: {err}") from None
        except UnicodeDecodeError as err:
            raise ConfigError(source, f"not UTF-8 text (byte {err.start}); save it as UTF-8") from None
        except OSError as err:
            raise ConfigError(source, f"cannot read: {err.strerror}") from None
    for section, values in (overrides or {}).items():
        present = data.setdefault(section, {})
        if not isinstance(present, dict):
            raise ConfigError(section, f"must be a [{section}] table, not {type(present).__name__}")
        present.update(values)
    return from_dict(data, source)
