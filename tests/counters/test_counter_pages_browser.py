"""The counter page and the lobby display in a real browser (Debian's headless Chromium, driven by
Playwright) against the real central service on loopback. Screenshots go to demo-output/counters/.

How soon a call shows on the display is measured by `kiosk bench display` (the same two pages, the
browser's own clock), not asserted here: a timed test flakes on a busy machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

from kiosk.bench import browser as chromium  # noqa: E402

SHOTS = Path(__file__).resolve().parents[2] / "demo-output" / "counters"
OWNER = "001199004321"  # an invented citizen
FAST_HOLD_MS = 1500

if chromium.missing():
    pytest.skip(chromium.missing(), allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    playwright = sync_api.sync_playwright().start()
    launched = chromium.launch(playwright)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield launched
    launched.close()
    playwright.stop()


def counter_page(browser, site, counter: str, width: int = 1366, height: int = 768):
    return chromium.counter_page(browser, site.url, counter, site.staff_token, width, height)


def display_page(browser, site, hold_ms: int | None = FAST_HOLD_MS, sound: bool = True, context=None):
    """The display, with its sound turned on by a tap unless ``sound`` is false. Chromium lets an origin
    that was already tapped in this browser play at once, so the tap banner may not show again."""
    page = (context or browser.new_context(viewport={"width": 1920, "height": 1080})).new_page()
    query = f"?hold={hold_ms}" if hold_ms else ""
    page.goto(f"{site.url}/display/{site.code}{query}")
    page.wait_for_function("() => window.lobby && window.lobby.status === 'live'")
    if sound:
        if page.evaluate("() => window.lobby.audioState()") != "running":
            assert page.is_visible("#sound-gate")
            page.click("#sound-gate")
        page.wait_for_function("() => window.lobby.audioState() === 'running'")
        assert page.is_hidden("#sound-gate")
    return page


def test_a_call_at_the_counter_page_shows_on_the_display(browser, site):
    site.ticket("A")
    site.ticket("A", priority=True)
    site.ticket("A", owner=OWNER)
    desk = counter_page(browser, site, "1")
    display = display_page(browser, site, sound=False)
    assert display.evaluate("() => window.lobby.audioState()") == "suspended"  # no sound before a tap
    assert display.is_visible("#sound-gate")
    display.mouse.click(960, 540)  # a tap anywhere turns the sound on
    display.wait_for_function("() => window.lobby.audioState() === 'running'")
    assert display.is_hidden("#sound-gate")
    assert desk.inner_text("#current-number") == "—"
    queued = desk.locator(".queue-column[data-service='A'] .queued-number").all_inner_texts()
    assert queued == ["A002", "A001", "A003"]  # priority first, then by issue time

    pressed_at = desk.evaluate("() => Date.now()")
    desk.keyboard.press("n")
    display.wait_for_function("() => 'A002' in window.lobby.shownAt", timeout=5000)
    shown_at = display.evaluate("() => window.lobby.shownAt['A002']")
    assert shown_at >= pressed_at, "the number was on the display before it was called"
    # how soon (issue 9: within a second) is `kiosk bench display`'s to measure, not a timed test's

    display.wait_for_selector("#calling:not([hidden])")
    assert display.inner_text("#calling-number") == "A002"
    assert display.inner_text("#calling-counter") == "1"
    assert display.inner_text(".counter-tile[data-counter='1'] .tile-number") == "A002"
    desk.wait_for_function("() => window.desk.view.current && window.desk.view.current.number === 'A002'")
    desk.screenshot(path=str(SHOTS / "counter-1366x768.png"))
    display.screenshot(path=str(SHOTS / "display-calling-1920x1080.png"))
    display.wait_for_function("() => window.lobby.played.length >= 2", timeout=15000)
    played = display.evaluate("() => window.lobby.played.map(p => p.kind + ':' + p.number)")
    assert played == ["chime:A002", "speech:A002"]  # the chime, then the spoken call
    assert display.inner_text("#calls .call-number") == "A002"


def test_several_calls_queue_and_muting_the_voice_keeps_the_chime(browser, site):
    for service in "ABC":
        site.ticket(service)
    display = display_page(browser, site)
    display.click("#toggle-voice")
    assert display.get_attribute("#toggle-voice", "aria-pressed") == "false"
    assert display.get_attribute("#toggle-chime", "aria-pressed") == "true"
    for counter in ("1", "3", "4"):  # three calls at once
        site.call_next(counter)
    display.wait_for_function("() => window.lobby.announced.length >= 3 && !window.lobby.busy", timeout=20000)
    announced = display.evaluate("() => window.lobby.announced")
    assert [a["number"] for a in announced] == ["A001", "B001", "C001"]
    gaps = [later["at"] - earlier["at"] for earlier, later in zip(announced, announced[1:])]
    assert all(gap >= FAST_HOLD_MS - 20 for gap in gaps), gaps  # each stayed up its full time
    played = display.evaluate("() => window.lobby.played.map(p => p.kind + ':' + p.number)")
    assert played == ["chime:A001", "chime:B001", "chime:C001"]  # no voice, but every chime

    default = display_page(browser, site, hold_ms=None, sound=False, context=display.context)  # same screen
    assert default.evaluate("() => window.lobby.holdMs") >= 5000
    assert default.evaluate("() => window.lobby.sound.voice") is False  # remembered by this screen
    assert default.evaluate("() => window.lobby.announced.length") == 0  # old calls are not re-announced


def test_the_display_shows_reconnecting_and_recovers_after_a_restart(browser, site, lobby_service):
    site.ticket("D")
    display = display_page(browser, site, sound=False)
    assert display.evaluate("() => window.lobby.live.connections") == 1
    assert display.is_hidden("#offline")

    lobby_service.stop()
    display.wait_for_function("() => window.lobby.status === 'reconnecting'", timeout=10000)
    assert display.is_visible("#offline")
    assert display.get_attribute("#status", "data-state") == "reconnecting"
    display.screenshot(path=str(SHOTS / "display-reconnecting.png"))

    lobby_service.start()
    site.call_next("5")
    display.wait_for_function("() => window.lobby.status === 'live' && 'D001' in window.lobby.shownAt",
                              timeout=15000)
    assert display.is_hidden("#offline")
    assert display.evaluate("() => window.lobby.live.connections") >= 2
    assert display.inner_text(".counter-tile[data-counter='5'] .tile-number") == "D001"
    display.wait_for_function("() => !window.lobby.busy", timeout=15000)
    display.screenshot(path=str(SHOTS / "display-1920x1080.png"))


def test_a_silent_link_is_noticed_and_replaced(browser, site, lobby_service):
    """GIVEN a display whose stream stays open but carries nothing (a dead link that was never closed)
    THEN after ``stale`` ms without even a ping it shows "reconnecting" and opens a new stream."""
    hub = lobby_service.app.state.lobby
    hub.ping_s = 60.0
    try:
        page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        page.goto(f"{site.url}/display/{site.code}?stale=1500")
        page.wait_for_function("() => window.lobby && window.lobby.live && window.lobby.live.connections >= 2",
                               timeout=10000)
        statuses = [status for status, _ in page.evaluate("() => window.lobby.statusLog")]
        assert statuses[:2] == ["live", "reconnecting"]
    finally:
        hub.ping_s = 3.0


def test_counter_page_keys_transfer_and_the_citizens_dossiers(browser, site):
    body = {"procedure": "HT-KS", "owner": {"id_number": OWNER, "full_name": "Lê Văn Thử"}, "form": {}}
    dossier = site.kiosk.post("/api/v1/dossiers", body).json()
    ticket = site.ticket("A", owner=OWNER)
    desk = counter_page(browser, site, "1", width=800, height=1280)  # a tablet held upright
    assert desk.locator(".action kbd").all_inner_texts() == ["N", "R", "S", "X", "T", "D"]
    desk.keyboard.press("n")
    desk.wait_for_function("() => window.desk.view.current && window.desk.view.current.number === 'A001'")
    assert desk.is_enabled("#act-dossiers")

    desk.keyboard.press("d")
    desk.wait_for_selector(f"#dossier-list [data-code='{dossier['code']}']")
    desk.click(f"#dossier-list [data-code='{dossier['code']}']")
    desk.wait_for_selector("#dossier-detail:not([hidden]) dd")
    assert "Lê Văn Thử" in desk.inner_text("#dossier-detail")
    desk.screenshot(path=str(SHOTS / "counter-dossiers-tablet.png"))
    desk.keyboard.press("Escape")

    desk.keyboard.press("t")
    option = desk.locator("#transfer-list [data-service='C']").first
    desk.keyboard.press(option.get_attribute("data-index"))
    desk.wait_for_function("() => window.desk.view.current === null")
    moved = site.kiosk.get(f"/api/v1/tickets/{ticket['reference']}").json()
    assert moved["service"] == "C" and moved["status"] == "waiting"
    assert desk.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    desk.screenshot(path=str(SHOTS / "counter-tablet.png"), full_page=True)
