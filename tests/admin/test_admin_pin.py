"""The admin PIN: hashed storage, lockout that grows and survives restarts, fail-closed on damage."""

from __future__ import annotations

import errno
import json

import pytest

from kiosk import i18n
from kiosk.admin import AdminPin, PinError, check_new_pin
from kiosk.admin import pin as pin_module

PIN = "583920"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


#: A cheaper scrypt for tests that check many PINs; the default cost is tested on its own.
FAST = 2**10


@pytest.fixture
def admin(tmp_path, clock):
    pin = AdminPin(tmp_path, clock=clock, scrypt_n=FAST)
    pin.set(PIN)
    return pin


def test_right_pin_opens(admin):
    result = admin.check(PIN)
    assert result.ok and result.outcome == "ok"
    assert admin.attempts().failures == 0


def test_pin_is_stored_hashed_with_a_fresh_salt(tmp_path, clock):
    admin = AdminPin(tmp_path, clock=clock)
    admin.set(PIN)
    stored = admin.pin_path.read_text(encoding="utf-8")
    assert PIN not in stored
    first = json.loads(stored)
    assert first["scheme"] == "scrypt" and first["n"] >= 2**14 and first["r"] >= 8
    admin.set(PIN)
    second = json.loads(admin.pin_path.read_text(encoding="utf-8"))
    assert first["salt"] != second["salt"] and first["hash"] != second["hash"]
    assert admin.pin_path.stat().st_mode & 0o777 == 0o600
    assert admin.folder.stat().st_mode & 0o777 == 0o700
    assert admin.check(PIN).ok


def test_lockout_after_five_wrong_pins_and_it_grows(admin, clock):
    tries = [admin.check("000001") for _ in range(4)]
    assert [t.outcome for t in tries] == ["wrong"] * 4
    assert [t.tries_left for t in tries] == [4, 3, 2, 1]
    fifth = admin.check("000001")
    assert fifth.outcome == "locked" and fifth.values == {"minutes": 1}
    assert fifth.message == pin_module.MSG_WRONG_LOCKED
    assert fifth.locked_until == clock.now + 60

    # While locked even the right PIN is not looked at.
    refused = admin.check(PIN)
    assert refused.outcome == "locked" and refused.message == pin_module.MSG_LOCKED
    assert admin.attempts().failures == 5

    clock.now += 61
    sixth = admin.check("000001")
    assert sixth.outcome == "locked" and sixth.locked_until == clock.now + 120
    clock.now += 121
    seventh = admin.check("000001")
    assert seventh.locked_until == clock.now + 240 and seventh.values == {"minutes": 4}

    for _ in range(10):  # the lock grows to the cap and stays there
        clock.now = admin.attempts().locked_until + 1
        last = admin.check("000001")
    assert last.locked_until == clock.now + admin.max_lockout_s

    clock.now = admin.attempts().locked_until + 1
    assert admin.check(PIN).ok
    assert admin.attempts().failures == 0 and admin.check("000001").tries_left == 4


def test_lockout_survives_a_restart(tmp_path, admin, clock):
    for _ in range(5):
        admin.check("999999")
    rebooted = AdminPin(tmp_path, clock=clock, scrypt_n=FAST)
    assert rebooted.check(PIN).outcome == "locked"
    clock.now += 61
    assert rebooted.check("999999").outcome == "locked"  # the count went on, not back to zero


def test_an_attempt_counts_even_if_the_power_fails_mid_check(tmp_path, admin, clock, monkeypatch):
    def power_cut(*_args, **_kwargs):
        raise SystemExit("power lost")

    monkeypatch.setattr(pin_module, "_hash", power_cut)
    with pytest.raises(SystemExit):
        admin.check("123123")
    monkeypatch.undo()
    assert AdminPin(tmp_path, clock=clock).attempts().failures == 1


def test_clock_set_back_does_not_lock_for_ever(admin, clock):
    for _ in range(5):
        admin.check("999999")
    clock.now -= 10 * 365 * 86400  # someone set the clock ten years back
    attempts = admin.attempts()
    assert attempts.locked_until == clock.now + admin.max_lockout_s


def test_damaged_attempts_file_fails_closed(admin, clock):
    admin.attempts_path.write_text("{not json", encoding="utf-8")
    assert admin.check(PIN).outcome == "locked"
    admin.unlock()
    assert admin.check(PIN).ok


def test_damaged_pin_file_makes_admin_unavailable(admin):
    admin.pin_path.write_text('{"scheme": "md5", "hash": "x"}', encoding="utf-8")
    result = admin.check(PIN)
    assert result.outcome == "unavailable" and result.message == pin_module.MSG_UNAVAILABLE


def test_unreadable_attempts_file_fails_closed(admin):
    admin.attempts_path.unlink()
    admin.attempts_path.mkdir()  # a folder where the file should be
    assert admin.check(PIN).outcome == "locked"


def test_full_disk_makes_admin_unavailable(admin, monkeypatch):
    def disk_full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pin_module, "_write_json", disk_full)
    result = admin.check(PIN)
    assert result.outcome == "unavailable" and result.message == pin_module.MSG_UNAVAILABLE


def test_no_pin_set(tmp_path):
    result = AdminPin(tmp_path).check("583920")
    assert result.outcome == "not_set" and not result.ok


@pytest.mark.parametrize("entry", ["", "58392", "583920x", "٥٨٣٩٢٠", "5839200000000000000000000", "x" * 10_000])
def test_odd_entries_are_just_wrong(admin, entry):
    assert admin.check(entry).outcome == "wrong"


@pytest.mark.parametrize(
    "pin, problem",
    [
        ("12345", "6 to 12 digits"),
        ("1234567890123", "6 to 12 digits"),
        ("12a456", "6 to 12 digits"),
        ("١٢٣٤٥٦", "6 to 12 digits"),
        ("777777", "repeated"),
        ("234567", "consecutive"),
        ("987654", "consecutive"),
        ("8901234", "consecutive"),
    ],
)
def test_weak_pins_are_refused(pin, problem):
    with pytest.raises(PinError, match=problem):
        check_new_pin(pin)


def test_refused_pin_keeps_the_old_one(admin):
    with pytest.raises(PinError):
        admin.set("111111")
    assert admin.check(PIN).ok


@pytest.mark.parametrize("language", ["vi", "en"])
def test_messages_are_translated(language):
    i18n.missing.clear()
    for message in (pin_module.MSG_WRONG, pin_module.MSG_WRONG_LOCKED, pin_module.MSG_LOCKED,
                    pin_module.MSG_NOT_SET, pin_module.MSG_UNAVAILABLE):
        text = i18n.translate(message, language, tries=3, minutes=2)
        assert "{" not in text
    assert not [m for m in i18n.missing if m[0] == language]
    assert "Sai mã PIN" in i18n.translate(pin_module.MSG_WRONG, "vi", tries=3)
