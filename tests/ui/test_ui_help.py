""""Call staff" tells the truth about whether staff were reached; touches are spoken aloud."""

from __future__ import annotations

import threading

import pytest

from kiosk.i18n import translate
from screens.app import STAFF_CALLED, STAFF_CALLING, STAFF_UNREACHABLE

pytestmark = pytest.mark.ui


def answered(driver) -> bool:
    return driver.wait_until(lambda: driver.app.notice not in ("", STAFF_CALLING))


def test_without_a_way_to_alert_staff_the_citizen_is_told_they_could_not_be_reached(driver):
    driver.tap("start")
    driver.tap("nav:staff")
    assert driver.app.notice == STAFF_UNREACHABLE
    assert driver.app.notice_kind == "error"
    assert driver.app.root.ids.notice_text.text == translate(STAFF_UNREACHABLE, "vi")


def test_staff_called_is_shown_only_after_the_alert_went_through(driver):
    calls = []
    release = threading.Event()

    def call_staff(screen):
        release.wait(5)
        calls.append(screen)

    driver.app.kiosk.call_staff = call_staff
    driver.tap("start")
    driver.tap("tile:lookup")
    driver.tap("nav:staff")
    assert driver.app.notice == STAFF_CALLING  # not yet "called"
    release.set()
    assert answered(driver)
    assert driver.app.notice == STAFF_CALLED and driver.app.notice_kind == "ok"
    assert calls == ["lookup"]  # the alert names the screen the citizen was on


def test_a_failed_alert_says_staff_could_not_be_reached(driver):
    def call_staff(screen):
        raise ConnectionError("central service unreachable")

    driver.app.kiosk.call_staff = call_staff
    driver.tap("nav:staff")  # works on the attract screen too
    assert answered(driver)
    assert driver.app.notice == STAFF_UNREACHABLE


def test_the_notice_is_relabelled_when_the_language_changes(driver):
    driver.tap("start")
    driver.tap("nav:staff")
    label = driver.app.root.ids.notice_text
    assert label.text == translate(STAFF_UNREACHABLE, "vi")
    driver.tap("nav:language")
    assert label.text == STAFF_UNREACHABLE


def test_touching_a_tile_speaks_its_name_in_the_visit_language(driver, speaker):
    driver.tap("start")
    speaker.clear()
    driver.tap("tile:ticket")
    said = speaker.said()
    assert said and said[0] == "Lấy số thứ tự"
    assert speaker.utterances[0].language == "vi"


def test_guidance_is_spoken_on_entering_a_screen_and_again_after_a_language_switch(driver, speaker):
    driver.tap("start")
    home = driver.app.registry.get("home")
    assert translate(home.guidance, "vi") in speaker.said("vi")
    driver.tap("nav:language")
    assert speaker.said("en")[-1] == home.guidance


def test_a_broken_speaker_never_stops_the_visit(driver, speaker):
    speaker.set_fault("no_audio")
    try:
        driver.tap("start")
        driver.tap("tile:rating")
        assert driver.app.current != "home"
    finally:
        speaker.clear_fault()


def test_the_end_of_a_visit_resets_the_speaker(driver, speaker):
    driver.tap("start")
    speaker.set_volume(0.2)
    driver.app.end_visit()
    assert speaker.volume == speaker.default_volume


def test_a_language_button_says_the_language_name_in_that_language(driver, speaker):
    driver.tap("lang:en")
    first = speaker.utterances[0]
    assert (first.text, first.language) == ("English", "en")
    speaker.clear()
    driver.tap("nav:language")
    first = speaker.utterances[0]
    assert (first.text, first.language) == ("Tiếng Việt", "vi")


def test_a_screens_notice_goes_when_the_citizen_moves_on_but_whether_staff_come_stays(driver):
    from screens.dossier_documents import MSG_REMOVED

    driver.tap("start")
    driver.app.show_notice(MSG_REMOVED, "ok")  # as a screen says what it just did
    assert driver.app.notice == MSG_REMOVED
    driver.tap("tile:lookup")
    assert driver.app.current == "lookup" and driver.app.notice == ""
    assert driver.app.root.ids.notice.height == 0  # the band is gone, not just empty

    driver.tap("nav:staff")
    assert driver.app.notice == STAFF_UNREACHABLE
    driver.tap("nav:home")
    driver.tap("tile:ticket")
    assert driver.app.current != "lookup" and driver.app.notice == STAFF_UNREACHABLE
