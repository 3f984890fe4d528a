"""The office calendar a kiosk caches to date results offline: today in Vietnam and the working days ahead."""

from __future__ import annotations

import datetime as dt

import pytest

from central.settings import VIETNAM
from central.workdays import default_calendar
from central_support import http_client
from kiosk.api import CentralClient

UTC = dt.timezone.utc
D = dt.date


def working_days_from(today: dt.date, count: int = 120) -> list[str]:
    """The same list, counted the slow way: every calendar day, kept when it is a working day."""
    calendar, days, day = default_calendar(), [], today
    while len(days) < count:
        if calendar.is_working_day(day):
            days.append(day.isoformat())
        day += dt.timedelta(days=1)
    return days


def test_before_tet_the_calendar_skips_the_weekend_and_the_holidays(site):
    site.clock.set(dt.datetime(2025, 1, 24, 23, 30, tzinfo=UTC))  # Saturday 25 January 06:30 in Vietnam
    answer = site.kiosk.get("/api/v1/calendar")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["today"] == "2025-01-25"
    assert body["working_days"][0] == "2025-02-03"  # weekend, then Tết 27–31 January, then a weekend
    assert len(body["working_days"]) == 120 and body["working_days"] == working_days_from(D(2025, 1, 25))
    assert "2025-04-26" in body["working_days"]  # the Saturday worked in exchange for 2 May
    for holiday in ("2025-04-07", "2025-04-30", "2025-05-01", "2025-05-02"):
        assert holiday not in body["working_days"]
    assert body["office_close_hour"] == site.service.settings.office_close_hour
    assert body["same_day_cutoff_hour"] == site.service.settings.same_day_cutoff_hour


def test_a_working_today_is_the_first_working_day(site):
    site.clock.set(dt.datetime(2025, 8, 29, 16, 0, tzinfo=VIETNAM))  # a Friday, before 2 September
    body = site.staff.get("/api/v1/calendar").json()  # staff may read it too
    assert body["today"] == "2025-08-29" and body["working_days"][:2] == ["2025-08-29", "2025-09-03"]
    assert body["working_days"] == working_days_from(D(2025, 8, 29))


@pytest.mark.parametrize("received, procedure", [((2025, 1, 24, 10, 0), "HT-CMC"), ((2025, 4, 29, 9, 0), "HT-CMC")])
def test_the_list_gives_the_same_expected_date_as_the_service(site, received, procedure):
    """A kiosk counting ``processing_days`` along the list from its receiving day lands on the date
    the service itself gives the dossier."""
    site.clock.set(dt.datetime(*received, tzinfo=VIETNAM))
    days = site.kiosk.get("/api/v1/calendar").json()["working_days"]
    made = site.kiosk.post("/api/v1/dossiers", {
        "procedure": procedure, "owner": {"id_number": "001099054321", "full_name": "Trần Thị Mẫu"}})
    assert made.status_code == 201, made.text
    processing = site.kiosk.get(f"/api/v1/procedures/{procedure}").json()["processing_days"]
    assert days[0] == D(*received[:3]).isoformat()  # received on a working day before closing time
    assert made.json()["expected_result_date"] == days[processing]


def test_the_calendar_needs_a_token(site):
    with http_client() as plain:
        refused = plain.get(site.url + "/api/v1/calendar")
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"


def test_the_kiosk_client_reads_the_calendar(site):
    site.clock.set(dt.datetime(2026, 2, 13, 9, 0, tzinfo=VIETNAM))  # Friday before Tết Bính Ngọ
    client = CentralClient(site.url, site.kiosk_token, connect_timeout=2, read_timeout=10)
    try:
        calendar = client.calendar()
    finally:
        client.close()
    assert calendar["today"] == "2026-02-13"
    assert calendar["working_days"] == working_days_from(D(2026, 2, 13))
    assert "2026-02-16" not in calendar["working_days"] and "2026-02-23" in calendar["working_days"]
