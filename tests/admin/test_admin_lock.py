"""Staff's "lock now" and "unlock" over the opening hours, kept across restarts."""

from __future__ import annotations

import datetime as dt

from kiosk.admin import OpeningHours
from kiosk.admin.hours import VIETNAM
from kiosk.admin.lock import KioskLock
from kiosk.config import from_dict


def vn(*args) -> float:
    return dt.datetime(*args, tzinfo=VIETNAM).timestamp()


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def lock_at(tmp_path, when: float, **hours) -> tuple[KioskLock, Clock]:
    config = from_dict({"hours": hours} if hours else {})
    clock = Clock(when)
    return KioskLock(OpeningHours(config.hours), tmp_path, clock=clock), clock


def test_the_hours_decide_when_staff_did_nothing(tmp_path):
    lock, clock = lock_at(tmp_path, vn(2025, 6, 2, 9, 0))  # a Monday morning
    state = lock.state()
    assert not state.locked and state.by == "hours"
    assert state.until == dt.datetime(2025, 6, 2, 17, 30, tzinfo=VIETNAM)
    assert state.describe("en") == "Open now, by the opening hours, until 17:30, 2/6."
    clock.now = vn(2025, 6, 2, 18, 0)
    assert lock.locked
    assert lock.state().describe("vi") == "Đóng theo giờ làm việc. Mở lại lúc 07:00, 3/6."
    assert lock.notice("en") == "The kiosk is closed now. It opens again on Tuesday, 3 June at 07:00."


def test_lock_now_holds_until_unlocked_even_across_a_restart_and_the_next_morning(tmp_path):
    lock, clock = lock_at(tmp_path, vn(2025, 6, 2, 9, 0))
    lock.lock_now()
    assert lock.state().locked and lock.state().by == "staff"
    assert lock.notice("vi") == "Ki-ốt đang đóng. Ông/Bà vui lòng hỏi tại quầy tiếp nhận."
    again, _ = lock_at(tmp_path, vn(2025, 6, 3, 9, 0))  # a restart, the next morning
    assert again.locked and again.state().describe("en") == "Locked by staff until someone unlocks it."
    state = again.unlock()
    assert not state.locked and state.by == "hours"
    assert not (tmp_path / "admin" / "lock.json").exists()


def test_unlock_after_hours_opens_until_the_end_of_the_day(tmp_path):
    lock, clock = lock_at(tmp_path, vn(2025, 6, 2, 19, 0))
    assert lock.locked
    state = lock.unlock()
    assert not state.locked and state.by == "staff"
    assert state.until == dt.datetime(2025, 6, 3, 0, 0, tzinfo=VIETNAM)
    assert state.describe("en") == "Opened by staff outside the opening hours, until 00:00, 3/6."
    clock.now = vn(2025, 6, 2, 23, 59)
    assert not lock.locked
    clock.now = vn(2025, 6, 3, 0, 1)  # the override ran out: the hours decide again
    assert lock.locked and lock.state().by == "hours"


def test_unlock_at_lunch_lasts_until_the_afternoon_opening(tmp_path):
    lock, clock = lock_at(tmp_path, vn(2025, 6, 2, 12, 0), mon=["07:00-11:30", "13:30-17:00"])
    assert lock.locked
    assert lock.unlock().until == dt.datetime(2025, 6, 2, 13, 30, tzinfo=VIETNAM)
    clock.now = vn(2025, 6, 2, 16, 0)
    assert not lock.locked and lock.state().by == "hours"
    clock.now = vn(2025, 6, 2, 17, 30)
    assert lock.locked


def test_never_locked_when_lock_after_hours_is_off_unless_staff_lock_it(tmp_path):
    lock, _ = lock_at(tmp_path, vn(2025, 6, 1, 3, 0), lock_after_hours=False)  # a Sunday night
    assert not lock.locked and lock.state().always_open
    assert lock.state().describe("en") == "Open: this kiosk is not locked after hours."
    lock.lock_now()
    assert lock.locked


def test_a_damaged_lock_file_leaves_it_to_the_hours(tmp_path, caplog):
    lock, _ = lock_at(tmp_path, vn(2025, 6, 2, 9, 0))
    lock.path.parent.mkdir(parents=True)
    lock.path.write_text("{not json", encoding="utf-8")
    assert not lock.locked
    assert "cannot be used" in caplog.text
