"""Lock after hours: weekday hours, Vietnam time, public holidays from the catalog, next opening."""

from __future__ import annotations

import datetime as dt
import json
import tomllib

import pytest

from kiosk import i18n
from kiosk.admin import HolidayTableError, OpeningHours, load_holidays
from kiosk.admin.hours import VIETNAM
from kiosk.config import Config, ConfigError, from_dict

UTC = dt.timezone.utc


def hours(holidays_path=None, **changes) -> OpeningHours:
    config = from_dict({"hours": changes} if changes else {})
    return OpeningHours.from_config(config.hours, holidays_path)


def vn(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VIETNAM)


@pytest.fixture
def default():
    return hours()


def test_weekday_hours(default):
    monday = dt.date(2025, 6, 2)
    assert monday.weekday() == 0
    assert not default.is_open(vn(2025, 6, 2, 6, 59))
    assert default.is_open(vn(2025, 6, 2, 7, 0))
    assert default.is_open(vn(2025, 6, 2, 17, 29))
    assert not default.is_open(vn(2025, 6, 2, 17, 30))
    assert default.next_open(vn(2025, 6, 2, 6, 0)) == vn(2025, 6, 2, 7, 0)
    assert default.next_open(vn(2025, 6, 2, 18, 0)) == vn(2025, 6, 3, 7, 0)
    assert default.closes_at(vn(2025, 6, 2, 9, 0)) == vn(2025, 6, 2, 17, 30)
    assert default.closes_at(vn(2025, 6, 2, 18, 0)) is None


def test_weekend_is_closed_until_monday(default):
    friday_evening = vn(2025, 6, 6, 18, 0)
    assert not default.is_open(vn(2025, 6, 7, 9, 0))
    assert default.next_open(friday_evening) == vn(2025, 6, 9, 7, 0)


def test_times_are_vietnam_times_whatever_the_caller_passes(default):
    assert default.is_open(dt.datetime(2025, 6, 2, 1, 0, tzinfo=UTC))  # 08:00 in Hà Nội
    assert not default.is_open(dt.datetime(2025, 6, 2, 23, 30, tzinfo=UTC))  # 06:30 Tuesday
    assert default.is_open(dt.datetime(2025, 6, 2, 8, 0))  # naive: already Vietnam time
    assert default.next_open(dt.datetime(2025, 6, 2, 11, 0, tzinfo=UTC)).utcoffset() == dt.timedelta(hours=7)


def test_public_holidays_from_the_catalog(default):
    assert not default.is_open(vn(2025, 1, 28, 9, 0))  # Tết, a Tuesday
    assert default.next_open(vn(2025, 1, 28, 9, 0)) == vn(2025, 2, 3, 7, 0)
    # 30 April and 1-2 May 2025 off, then the weekend: open again on Monday 5 May.
    assert default.next_open(vn(2025, 4, 29, 18, 0)) == vn(2025, 5, 5, 7, 0)
    # Saturday 26 April 2025 was worked in exchange for 2 May.
    assert default.is_open(vn(2025, 4, 26, 9, 0))


def test_years_outside_the_table_know_the_fixed_holidays(default):
    national_day = dt.date(2031, 9, 2)
    assert national_day.weekday() == 1
    assert not default.is_open(vn(2031, 9, 2, 9, 0))
    assert default.is_open(vn(2031, 9, 3, 9, 0))


def test_local_closures_and_split_hours():
    opening = hours(
        mon=["07:30-11:30", "13:30-17:00"],
        sat=["07:30-11:30"],
        closed_days=["2025-06-03", dt.date(2025, 6, 4)],
    )
    assert opening.is_open(vn(2025, 6, 2, 11, 0))
    assert not opening.is_open(vn(2025, 6, 2, 12, 0))
    assert opening.next_open(vn(2025, 6, 2, 12, 0)) == vn(2025, 6, 2, 13, 30)
    assert not opening.is_open(vn(2025, 6, 3, 9, 0)) and not opening.is_open(vn(2025, 6, 4, 9, 0))
    assert opening.next_open(vn(2025, 6, 3, 9, 0)) == vn(2025, 6, 5, 7, 0)
    assert opening.is_open(vn(2025, 6, 7, 8, 0))  # Saturday morning


def test_without_lock_after_hours_it_is_always_open():
    opening = hours(lock_after_hours=False)
    assert opening.is_open(vn(2025, 1, 28, 3, 0))
    assert opening.closes_at(vn(2025, 1, 28, 3, 0)) is None
    assert opening.closed_notice(vn(2025, 1, 28, 3, 0), "vi") == ""


def test_never_open():
    opening = hours(**{day: [] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    assert opening.next_open(vn(2025, 6, 2, 9, 0)) is None
    assert opening.closed_notice(vn(2025, 6, 2, 9, 0), "en") == "The kiosk is closed now."


def test_holiday_table_missing_or_damaged(tmp_path):
    assert load_holidays(tmp_path / "none.json") is None
    opening = hours(tmp_path / "none.json")
    assert opening.is_open(vn(2025, 1, 28, 9, 0))  # no table: Tết unknown, a plain Tuesday
    bad = tmp_path / "holidays.json"
    bad.write_text(json.dumps({"years": [2025], "days_off": [{"date": "2025-02-30"}]}), encoding="utf-8")
    with pytest.raises(HolidayTableError, match="holidays.json"):
        load_holidays(bad)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_closed_notice(default, language):
    i18n.missing.clear()
    holiday = default.closed_notice(vn(2025, 1, 28, 9, 0), language)
    evening = default.closed_notice(vn(2025, 6, 2, 18, 0), language)
    morning = default.closed_notice(vn(2025, 6, 2, 6, 0), language)
    assert not [m for m in i18n.missing if m[0] == language]
    if language == "vi":
        assert holiday.splitlines()[0] == "Hôm nay là ngày nghỉ: Tết Nguyên đán Ất Tỵ."
        assert "07:00, Thứ Hai, ngày 3/2" in holiday
        assert evening == "Ki-ốt hiện đang ngoài giờ phục vụ. Ki-ốt sẽ mở lại lúc 07:00, Thứ Ba, ngày 3/6."
        assert "07:00 hôm nay" in morning
    else:
        assert holiday.splitlines() == [
            "Today is a day off: Lunar New Year.",
            "The kiosk is closed now. It opens again on Monday, 3 February at 07:00.",
        ]
        assert morning == "The kiosk is closed now. It opens again today at 07:00."
    assert default.closed_notice(vn(2025, 6, 2, 9, 0), language) == ""


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"mon": "07:00-17:00"}, "hours.mon"),
        ({"tue": ["7-17"]}, "hours.tue"),
        ({"wed": ["17:00-07:00"]}, "ends before it starts"),
        ({"thu": ["07:00-12:00", "11:00-17:00"]}, "overlap"),
        ({"fri": ["25:00-26:00"]}, "hours.fri"),
        ({"sat": ["08:00-24:30"]}, "hours.sat"),
        ({"closed_days": ["2025-13-01"]}, "hours.closed_days"),
        ({"closed_days": [20250601]}, "hours.closed_days"),
        ({"lock_after_hours": "yes"}, "hours.lock_after_hours"),
        ({"holidays": []}, "hours.holidays"),
    ],
)
def test_bad_hours_in_config(changes, problem):
    with pytest.raises(ConfigError, match=problem):
        from_dict({"hours": changes})


def test_hours_from_toml_with_native_dates():
    data = tomllib.loads('[hours]\nsun = ["08:00-24:00"]\nclosed_days = [2025-06-03, 2025-06-04T00:00:00]\n')
    config = from_dict(data)
    assert config.hours.closed_days == {dt.date(2025, 6, 3), dt.date(2025, 6, 4)}
    assert config.hours.week[6][0][1] == dt.time.max
    assert OpeningHours(config.hours).is_open(vn(2025, 6, 8, 23, 59))


def test_config_built_without_hours_gets_the_default_hours():
    full = from_dict({})
    bare = Config(center=full.center, kiosk=full.kiosk, central=full.central, printer=full.printer, devices=full.devices)
    assert bare.hours == full.hours
    assert bare.hours.week[0] == ((dt.time(7, 0), dt.time(17, 30)),) and bare.hours.week[5] == ()
