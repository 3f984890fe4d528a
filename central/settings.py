"""What one running central service needs to know: database, data directory, clock and limits.

The clock is a setting (``now``) so tests can move the service across a business day boundary.
Business days are counted in Vietnam's time (Asia/Ho_Chi_Minh, UTC+7, no daylight saving).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

try:
    from zoneinfo import ZoneInfo

    VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
except Exception:  # no tz database on this machine: Vietnam has kept UTC+7 since 1975
    VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def default_data_dir() -> Path:
    from kiosk.config import default_data_dir as kiosk_data_dir

    return Path(kiosk_data_dir()) / "central"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir).resolve() / 'central.db'}"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    db_url: str = ""
    #: Where documents go: "" for ``<data_dir>/documents``, or ``s3://BUCKET/PREFIX?endpoint=…``.
    storage: str = ""
    #: Returns the current time, timezone-aware. Tests pass a clock they can move.
    now: Callable[[], dt.datetime] = utc_now
    #: The center a kiosk or staff account belongs to when none is named.
    default_center: str = "HT01"
    max_json_bytes: int = 256 * 1024
    max_chunk_bytes: int = 8 * 1024 * 1024
    max_document_bytes: int = 25 * 1024 * 1024
    #: Dossier lookups (public view, details, pickup) allowed per kiosk and address per window.
    lookup_limit: int = 30
    lookup_window_s: int = 60
    #: How many recent served tickets the wait estimate averages over, and how old they may be.
    wait_sample: int = 20
    wait_sample_days: int = 7
    #: Seconds an estimate or a token lookup may be reused by one process.
    wait_cache_s: float = 10.0
    auth_cache_s: float = 10.0
    #: Same-day procedures received after this local hour are returned the next working day.
    same_day_cutoff_hour: int = 15
    #: Dossiers received after this local hour count as received the next working day.
    office_close_hour: int = 17
    db_pool_size: int = 10
    #: Threads per process running request handlers. Few threads fighting over the GIL answer faster
    #: than many: measured with ``kiosk bench central``, 8 beat the default 40 on two cores.
    worker_threads: int = 8

    def __post_init__(self):
        if not self.db_url:
            object.__setattr__(self, "db_url", sqlite_url(self.data_dir))
        object.__setattr__(self, "data_dir", Path(self.data_dir))

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    def local_now(self) -> dt.datetime:
        return self.now().astimezone(VIETNAM)

    def business_day(self, moment: dt.datetime | None = None) -> dt.date:
        return (moment or self.now()).astimezone(VIETNAM).date()

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


class Clock:
    """A clock tests can set and move; falls back to real time until set."""

    def __init__(self, start: dt.datetime | None = None):
        self._offset = dt.timedelta(0)
        self._fixed = start

    def __call__(self) -> dt.datetime:
        if self._fixed is not None:
            return self._fixed
        return utc_now() + self._offset

    def set(self, moment: dt.datetime | None) -> None:
        if moment is not None and moment.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware time")
        self._fixed = moment
        if moment is None:
            self._offset = dt.timedelta(0)

    def advance(self, **delta) -> None:
        step = dt.timedelta(**delta)
        if self._fixed is not None:
            self._fixed += step
        else:
            self._offset += step
