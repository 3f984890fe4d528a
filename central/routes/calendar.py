"""The office calendar, so a kiosk can work out an expected result date while offline."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends

from central import auth
from central.context import Central, get_central
from central.schemas import ERRORS, CalendarOut
from central.workdays import WorkCalendar

router = APIRouter(tags=["calendar"])

#: How many working days the answer lists: enough for any procedure of the catalog.
WORKING_DAYS_AHEAD = 120


def working_days(calendar: WorkCalendar, today: dt.date, count: int = WORKING_DAYS_AHEAD) -> list[dt.date]:
    """The next ``count`` working days, starting with ``today`` when it is one."""
    days = [today] if calendar.is_working_day(today) else []
    day = today
    while len(days) < count:
        day = calendar.next_working_day(day)
        days.append(day)
    return days


@router.get("/calendar", response_model=CalendarOut, responses=ERRORS)
def office_calendar(principal: auth.Principal = Depends(auth.anyone), central: Central = Depends(get_central)):
    """Today (Vietnam time), the next 120 working days, and the hours that decide the receiving day."""
    today = central.settings.local_now().date()
    return {"today": today.isoformat(),
            "working_days": [day.isoformat() for day in working_days(central.calendar, today)],
            "office_close_hour": central.settings.office_close_hour,
            "same_day_cutoff_hour": central.settings.same_day_cutoff_hour}
