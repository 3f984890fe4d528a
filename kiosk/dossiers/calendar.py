"""The office calendar as the central service last sent it, to date a dossier received while offline.

``GET /api/v1/calendar`` lists the next working days from the day it was asked (weekends, holidays and
worked weekends already applied) with the hour the office closes and the same-day cutoff. The kiosk
counts on that list the way the center counts: a dossier received on a working day before closing
time counts from that day, otherwise from the next working day; a procedure of ``n`` working days is
due on the ``n``-th working day after it; a same-day procedure (``n = 0``) is due that day, or on the
next working day when it came in after the cutoff. A day before the list or beyond its end is not
known, and the date is then left for the center to set (``None``).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class OfficeCalendar:
    today: dt.date
    working_days: tuple[dt.date, ...]
    office_close_hour: float = 17
    same_day_cutoff_hour: float = 15

    @classmethod
    def from_answer(cls, answer: dict) -> "OfficeCalendar":
        """Read the central service's answer; ``ValueError`` when it is not one."""
        try:
            days = tuple(sorted(dt.date.fromisoformat(d) for d in answer["working_days"]))
            return cls(
                today=dt.date.fromisoformat(answer["today"]),
                working_days=days,
                office_close_hour=float(answer.get("office_close_hour", 17)),
                same_day_cutoff_hour=float(answer.get("same_day_cutoff_hour", 15)),
            )
        except (KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"not a calendar: {type(err).__name__}") from None

    def to_answer(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "working_days": [d.isoformat() for d in self.working_days],
            "office_close_hour": self.office_close_hour,
            "same_day_cutoff_hour": self.same_day_cutoff_hour,
        }

    def _next(self, day: dt.date) -> int | None:
        """Index of the first working day after ``day``."""
        index = bisect.bisect_right(self.working_days, day)
        return index if index < len(self.working_days) else None

    def expected_result_date(self, received_local: dt.datetime, processing_days: int) -> dt.date | None:
        """When a dossier received at ``received_local`` (Vietnam time) is due; ``None`` when unknown."""
        if processing_days < 0:
            raise ValueError("processing days must not be negative")
        day = received_local.date()
        if day < self.today or not self.working_days:
            return None
        hour = received_local.hour + received_local.minute / 60
        index = bisect.bisect_left(self.working_days, day)
        on_working_day = index < len(self.working_days) and self.working_days[index] == day
        if not on_working_day or hour >= self.office_close_hour:
            index = self._next(day)
            hour = 0.0
            if index is None:
                return None
        if processing_days == 0 and hour >= self.same_day_cutoff_hour:
            index += 1
        else:
            index += processing_days
        return self.working_days[index] if index < len(self.working_days) else None
