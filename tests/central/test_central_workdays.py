"""The working-day calendar behind expected result dates (pure functions, no service)."""

from __future__ import annotations

import datetime as dt

import pytest

from central.workdays import default_calendar

D = dt.date
cal = default_calendar()


@pytest.mark.parametrize("day, working", [
    (D(2025, 1, 1), False),    # New Year's Day, a Wednesday
    (D(2025, 1, 29), False),   # Tết Ất Tỵ
    (D(2025, 2, 3), True),     # first working day after Tết
    (D(2025, 4, 7), False),    # Hung Kings' day
    (D(2025, 4, 26), True),    # Saturday worked in exchange for 2 May
    (D(2025, 5, 2), False),
    (D(2025, 9, 1), False), (D(2025, 9, 2), False),
    (D(2026, 2, 16), False), (D(2026, 2, 20), False), (D(2026, 2, 23), True),
    (D(2026, 4, 27), False),   # Hung Kings' day moved off Sunday 26 April
    (D(2027, 2, 11), False), (D(2027, 2, 12), True),
    (D(2025, 3, 8), False),    # an ordinary Saturday
    (D(2025, 3, 10), True),
])
def test_working_days(day, working):
    assert cal.is_working_day(day) is working


def test_every_listed_day_off_is_a_weekday_in_a_covered_year():
    for day in cal.days_off:
        assert day.weekday() < 5 and day.year in cal.years
    assert len({d for d in cal.days_off if d.year == 2025}) == 12


def test_adding_working_days_across_tet():
    assert cal.add_working_days(D(2025, 1, 24), 1) == D(2025, 2, 3)
    assert cal.add_working_days(D(2026, 2, 13), 5) == D(2026, 2, 27)
    assert cal.add_working_days(D(2025, 3, 10), 0) == D(2025, 3, 10)
    with pytest.raises(ValueError):
        cal.add_working_days(D(2025, 3, 10), -1)


def vn(*args):
    return dt.datetime(*args, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.mark.parametrize("received, days, expected", [
    (vn(2025, 3, 10, 9, 0), 0, D(2025, 3, 10)),     # same day, before the cutoff
    (vn(2025, 3, 10, 15, 30), 0, D(2025, 3, 11)),   # after the 15:00 cutoff
    (vn(2025, 3, 10, 17, 30), 3, D(2025, 3, 14)),   # after closing: counts from Tuesday
    (vn(2025, 3, 8, 10, 0), 1, D(2025, 3, 11)),     # Saturday: received Monday, due Tuesday
    (vn(2025, 8, 29, 10, 0), 2, D(2025, 9, 4)),     # across National Day
])
def test_expected_result_date(received, days, expected):
    assert cal.expected_result_date(received, days) == expected


def test_years_beyond_the_table_keep_fixed_holidays():
    assert cal.is_working_day(D(2030, 9, 2)) is False  # National Day, a Monday
    assert cal.is_working_day(D(2030, 9, 3)) is True
