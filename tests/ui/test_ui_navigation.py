"""Real touches in a real (offscreen) window: tiles, back, home, language switch, idle return."""

from __future__ import annotations

import pytest

from screens.demo_script import let_time_pass
from kivy.uix.label import Label

from kiosk.i18n import translate
from screens.home import TASKS

pytestmark = pytest.mark.ui


def texts_on_screen(driver) -> list[str]:
    return [w.text for w in driver.widgets() if isinstance(w, Label) and w.text and w.opacity > 0]


def start(driver):
    driver.tap("start")
    assert driver.app.current == "home"


def test_touching_the_attract_screen_anywhere_starts_a_visit(driver):
    assert driver.app.current == "attract"
    window = driver.window
    driver.tap_at(window.width * 0.5, window.height * 0.55)  # empty space, not a button
    assert driver.app.current == "home"
    assert driver.app.language == "vi"


def test_a_language_button_on_the_attract_screen_starts_the_visit_in_that_language(driver):
    driver.tap("lang:en")
    assert driver.app.current == "home"
    assert driver.app.language == "en"
    assert "Get a queue number" in texts_on_screen(driver)


def test_tapping_a_home_tile_opens_its_screen(driver):
    """GIVEN the home screen WHEN the "get a queue number" tile is touched THEN its screen shows."""
    start(driver)
    task = TASKS[0]
    driver.tap(f"tile:{task.screen}")
    expected = task.screen if task.screen in driver.app.registry else "coming_soon"
    assert driver.app.current == expected
    assert driver.app.manager.current == expected
    if expected == "coming_soon":
        assert translate(task.label, "vi") in texts_on_screen(driver)


def test_every_tile_leads_somewhere_and_back_returns_home(driver):
    start(driver)
    for task in TASKS:
        driver.tap(f"tile:{task.screen}")
        assert driver.app.current != "home", task.screen
        driver.tap("nav:back")
        assert driver.app.current == "home", task.screen


@pytest.mark.parametrize("button", ["nav:back", "coming_soon:back"])
def test_back_and_home_from_every_registered_screen(driver, button):
    start(driver)
    for name in driver.app.registry.names():
        if name in ("attract", "home"):
            continue
        driver.app.go(name)
        driver.frames(1)
        assert driver.app.current == name
        back = button if name == "coming_soon" else "nav:back"
        driver.tap(back)
        assert driver.app.current == "home", f"back from {name}"
        driver.app.go(name)
        driver.frames(1)
        driver.tap("nav:home")
        assert driver.app.current == "home", f"home from {name}"
        assert driver.app.history == []


def test_home_and_back_are_hidden_and_inert_on_the_attract_screen(driver):
    for tag in ("nav:home", "nav:back"):
        button = driver.find(tag)
        assert button.disabled and button.opacity == 0
        driver.tap(button)
        assert driver.app.current == "attract"


def test_back_is_hidden_where_there_is_nowhere_to_go_back_to(driver):
    start(driver)
    assert driver.find("nav:back").disabled
    driver.tap("tile:rating")
    assert not driver.find("nav:back").disabled


def test_switching_language_relabels_the_screen_and_keeps_the_visit(driver):
    start(driver)
    task = TASKS[1]
    driver.tap(f"tile:{task.screen}")
    screen = driver.app.current
    title = driver.app.root.ids.screen_title
    assert title.text == translate(task.label, "vi")
    assert driver.find("nav:language").text == "English"

    driver.tap("nav:language")

    assert driver.app.language == "en"
    assert driver.app.current == screen
    assert title.text == task.label
    assert driver.find("nav:back").text == "Back"
    assert driver.find("nav:language").text == "Tiếng Việt"
    assert driver.app.history == [("home", {})]
    driver.tap("nav:back")
    assert driver.app.current == "home"
    assert "Get a queue number" in texts_on_screen(driver)
    driver.tap("nav:language")
    assert "Lấy số thứ tự" in texts_on_screen(driver)


def test_idle_timeout_warns_then_ends_the_visit_and_forgets_it(driver):
    app = driver.app
    driver.tap("lang:en")
    driver.tap("tile:digitize")
    let_time_pass(driver, app.kiosk.config.kiosk.idle_timeout_s)
    assert app.idle_overlay.shown
    assert app.current != "attract"
    let_time_pass(driver, app.kiosk.config.kiosk.idle_warning_s)
    assert app.current == "attract"
    assert app.language == app.kiosk.config.kiosk.language
    assert app.history == []
    assert app.registry.get("coming_soon").title == "Coming soon"


def test_a_touch_counts_as_activity(driver):
    app = driver.app
    app.last_activity = 0.0
    start(driver)
    assert app.last_activity > 0.0


def test_back_walks_the_history_of_the_visit_with_each_step_as_it_was(driver):
    app = driver.app
    start(driver)
    first, second = TASKS[2], TASKS[3]
    app.go("coming_soon", title=first.label, icon=first.icon)
    app.go("coming_soon", title=second.label, icon=second.icon)
    driver.frames(1)
    title = app.root.ids.screen_title
    assert title.text == translate(second.label, "vi")
    driver.tap("nav:back")
    assert app.current == "coming_soon" and title.text == translate(first.label, "vi")
    driver.tap("nav:back")
    assert app.current == "home" and app.history == []
