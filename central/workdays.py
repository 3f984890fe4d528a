"""Working days of a Vietnamese public administration office, and the expected result date.

The calendar comes from ``assets/catalog/holidays.json``: weekdays the offices close (holidays, Tết,
days moved off a weekend) and weekend days worked in exchange. Outside the years it covers only
weekends and the fixed solar-calendar holidays are known, and the first use of such a year is logged.

Counting rule: a dossier received on a working day before the office closes counts as received that
day, otherwise on the next working day. A procedure of ``n`` working days returns its result on the
``n``-th working day after that; a same-day procedure (``n == 0``) returns it that day, or the next
working day when it was received after the same-day cutoff.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

CATALOG_DIR = Path(__file__).resolve().parent.parent / "assets" / "catalog"


@dataclass(frozen=True)
class WorkCalendar:
    days_off: frozenset[dt.date]
    working_weekends: frozenset[dt.date]
    fixed_solar: frozenset[tuple[int, int]]
    years: frozenset[int]

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_weekends:
            return True
        if day.weekday() >= 5 or day in self.days_off:
            return False
        if day.year not in self.years:
            _warn_uncovered(day.year)
            return (day.month, day.day) not in self.fixed_solar
        return True

    def next_working_day(self, day: dt.date) -> dt.date:
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``day`` (``day`` itself when ``count`` is 0)."""
        if count < 0:
            raise ValueError("count must not be negative")
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def expected_result_date(
        self,
        received_local: dt.datetime,
        processing_days: int,
        *,
        office_close_hour: int = 17,
        same_day_cutoff_hour: int = 15,
    ) -> dt.date:
        """When a result is due for a dossier received at ``received_local`` (Vietnam time)."""
        day = received_local.date()
        hour = received_local.hour + received_local.minute / 60
        if not self.is_working_day(day) or hour >= office_close_hour:
            day = self.next_working_day(day)
            hour = 0.0
        if processing_days == 0:
            return day if hour < same_day_cutoff_hour else self.next_working_day(day)
        return self.add_working_days(day, processing_days)


@lru_cache(maxsize=None)
def _warn_uncovered(year: int) -> None:
    log.warning("holiday table has no entries for %s; counting weekends and fixed holidays only", year)


def _dates(entries: list[dict]) -> frozenset[dt.date]:
    return frozenset(dt.date.fromisoformat(entry["date"]) for entry in entries)


def load_calendar(path: Path | None = None) -> WorkCalendar:
    path = path or CATALOG_DIR / "holidays.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return WorkCalendar(
        days_off=_dates(data["days_off"]),
        working_weekends=_dates(data.get("working_weekends", [])),
        fixed_solar=frozenset((e["month"], e["day"]) for e in data.get("fixed_solar", [])),
        years=frozenset(int(y) for y in data["years"]),
    )


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    return load_calendar()
