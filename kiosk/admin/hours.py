"""Opening hours: when the kiosk serves citizens, and when it is locked until the next opening.

Hours per weekday come from the ``[hours]`` section of the configuration (``HoursConfig``), in Vietnam
time (Asia/Ho_Chi_Minh, UTC+7 all year). Public holidays, Tết and compensatory days off come from
``assets/catalog/holidays.json`` (the table the central service uses for result dates) when it is
there; ``hours.closed_days`` adds local closures. A weekend day the table marks as worked in exchange
opens with Monday's hours. In a year the table does not cover, only the fixed solar-calendar
holidays are known. With ``hours.lock_after_hours = false`` the kiosk is always open.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config import HoursConfig
from kiosk.i18n import N_, translate

CATALOG_HOLIDAYS = Path(__file__).resolve().parents[2] / "assets" / "catalog" / "holidays.json"
#: How far ahead ``next_open`` looks before deciding the kiosk never opens.
SEARCH_DAYS = 400
DAY_FORMATS = {"vi": "EEEE, 'ngày' d/M", "en": "EEEE, d MMMM"}

MSG_CLOSED = N_("The kiosk is closed now.")
MSG_OPENS_TODAY = N_("The kiosk is closed now. It opens again today at {time}.")
MSG_OPENS_ON = N_("The kiosk is closed now. It opens again on {day} at {time}.")
MSG_HOLIDAY = N_("Today is a day off: {holiday}.")


def vietnam_time() -> dt.tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Ho_Chi_Minh")
    except Exception:  # no time zone database on this machine: Vietnam has kept UTC+7 since 1975
        return dt.timezone(dt.timedelta(hours=7), "ICT")


VIETNAM = vietnam_time()


class HolidayTableError(Exception):
    """The holiday table cannot be read; the message is for the operator."""


@dataclass(frozen=True)
class HolidayTable:
    #: Date -> its name by language ({"vi": ..., "en": ...}).
    days_off: dict[dt.date, dict[str, str]] = field(default_factory=dict)
    working_weekends: frozenset[dt.date] = frozenset()
    fixed_solar: dict[tuple[int, int], dict[str, str]] = field(default_factory=dict)
    years: frozenset[int] = frozenset()

    def day_off(self, day: dt.date) -> dict[str, str] | None:
        """The holiday's names when ``day`` is a day off (weekends aside), else ``None``."""
        if day in self.days_off:
            return self.days_off[day]
        if day.year not in self.years:
            return self.fixed_solar.get((day.month, day.day))
        return None


def _names(entry: dict) -> dict[str, str]:
    return {key: value for key, value in entry.items() if key not in ("date", "month", "day") and isinstance(value, str)}


def load_holidays(path: Path | None = None) -> HolidayTable | None:
    """The holiday table at ``path`` (default: the catalog's); ``None`` when there is none."""
    path = Path(path) if path else CATALOG_HOLIDAYS
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return HolidayTable(
            days_off={dt.date.fromisoformat(e["date"]): _names(e) for e in data.get("days_off", [])},
            working_weekends=frozenset(dt.date.fromisoformat(e["date"]) for e in data.get("working_weekends", [])),
            fixed_solar={(int(e["month"]), int(e["day"])): _names(e) for e in data.get("fixed_solar", [])},
            years=frozenset(int(y) for y in data.get("years", [])),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise HolidayTableError(f"holiday table {path} cannot be used: {err}") from None


class OpeningHours:
    def __init__(self, hours: HoursConfig, holidays: HolidayTable | None = None):
        self.hours = hours
        self.holidays = holidays

    @classmethod
    def from_config(cls, hours: HoursConfig, holidays_path: Path | None = None) -> OpeningHours:
        return cls(hours, load_holidays(holidays_path))

    @staticmethod
    def local(now: dt.datetime) -> dt.datetime:
        """``now`` in Vietnam time; a naive time is taken to be Vietnam time already."""
        return now.replace(tzinfo=VIETNAM) if now.tzinfo is None else now.astimezone(VIETNAM)

    def day_off(self, day: dt.date) -> dict[str, str] | None:
        """Names of the holiday or closure on ``day`` (a local closure has no name), else ``None``."""
        if day in self.hours.closed_days:
            return {}
        if self.holidays is not None:
            return self.holidays.day_off(day)
        return None

    def intervals(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The opening intervals of ``day`` in Vietnam time."""
        if self.day_off(day) is not None:
            return []
        weekday = day.weekday()
        if self.holidays is not None and day in self.holidays.working_weekends:
            weekday = 0
        return [
            (dt.datetime.combine(day, start, VIETNAM), dt.datetime.combine(day, end, VIETNAM))
            for start, end in self.hours.week[weekday]
        ]

    def is_open(self, now: dt.datetime) -> bool:
        if not self.hours.lock_after_hours:
            return True
        now = self.local(now)
        return any(start <= now < end for start, end in self.intervals(now.date()))

    def next_open(self, now: dt.datetime) -> dt.datetime | None:
        """When the kiosk opens next (``now`` itself when open); ``None`` when it never opens."""
        now = self.local(now)
        if self.is_open(now):
            return now
        for offset in range(SEARCH_DAYS):
            for start, _end in self.intervals(now.date() + dt.timedelta(days=offset)):
                if start > now:
                    return start
        return None

    def closes_at(self, now: dt.datetime) -> dt.datetime | None:
        """When the current opening ends; ``None`` when closed or never locked."""
        if not self.hours.lock_after_hours:
            return None
        now = self.local(now)
        for start, end in self.intervals(now.date()):
            if start <= now < end:
                return end
        return None

    def closed_notice(self, now: dt.datetime, language: str) -> str:
        """What the locked screen says, in ``language``: why it is closed and when it opens."""
        from babel.dates import format_date, format_time

        now = self.local(now)
        if self.is_open(now):
            return ""
        lines = []
        names = self.day_off(now.date())
        if names:
            lines.append(translate(MSG_HOLIDAY, language, holiday=names.get(language) or names.get("vi", "")))
        opens = self.next_open(now)
        if opens is None:
            lines.append(translate(MSG_CLOSED, language))
        else:
            time_text = format_time(opens, "HH:mm", locale=language)
            if opens.date() == now.date():
                lines.append(translate(MSG_OPENS_TODAY, language, time=time_text))
            else:
                day = format_date(opens.date(), DAY_FORMATS.get(language, "EEEE d/M"), locale=language)
                lines.append(translate(MSG_OPENS_ON, language, day=day, time=time_text))
        return "\n".join(lines)
