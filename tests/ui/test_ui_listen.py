""""Repeat" (Nghe lại) in the top bar: the last thing the screen said, not a button's label; forgotten at the end."""

from __future__ import annotations

import pytest

from kiosk.i18n import translate


@pytest.mark.ui
def test_repeat_says_again_what_the_screen_said_not_the_label_just_touched(driver):
    app, speaker = driver.app, driver.app.kiosk.devices.speaker
    driver.tap("start")
    home_guidance = translate(app.screen.guidance, app.language)
    assert speaker.said()[-1] == home_guidance
    app.say_text("Số A012, mời đến quầy 3")  # as a result screen announces a number
    driver.tap("tile:ticket")  # the tile reads its own label aloud on touch
    ticket_guidance = translate(app.screen.guidance, app.language)
    speaker.clear()
    driver.tap("nav:listen")
    assert speaker.said() == [ticket_guidance], "the screen's words, not the button just touched"
    app.say_text("Số A012, mời đến quầy 3")
    speaker.clear()
    driver.tap("nav:listen")
    assert speaker.said() == ["Số A012, mời đến quầy 3"]


@pytest.mark.ui
def test_what_was_said_is_forgotten_when_the_visit_ends(driver):
    app, speaker = driver.app, driver.app.kiosk.devices.speaker
    driver.tap("start")
    app.say_text("Nguyễn Văn Thử, mời đến quầy 2")
    app.end_visit()
    driver.frames(2)
    assert app.last_said is None
    driver.tap("start")
    speaker.clear()
    driver.tap("nav:listen")
    assert speaker.said() == [translate(app.screen.guidance, app.language)]
