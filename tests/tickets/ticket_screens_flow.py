"""The ticket screens with real touches in an offscreen window, against the real central service.

Kivy allows one window per process, so ``test_ticket_screens.py`` runs this file in a pytest of its
own (``python -m pytest tests/tickets/ticket_screens_flow.py``); its name keeps the main run from
collecting it. One kiosk app is built for the module: simulated printer, QR reader and speaker, the
central service embedded on loopback. Each test starts a fresh visit on the attract screen.
Screenshots go to ``$TICKET_SCREENSHOTS`` when it is set.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from ticket_rig import CenterService, kiosk_settings, wait_until

from devices.printer.escpos_render import render
from kiosk import i18n
from kiosk.printing.monitor import PAPER_OUT
from kiosk.references import parse, ticket_code
from kiosk.ticket_flow import MSG_ON_SCREEN, MSG_PAPER_OUT, MSG_VOIDED

#: How long a step may take on a busy machine before the test gives up.
WAIT_S = 30.0
ELDER = "001048012345|012345678|Trần Văn Thọ|05061948|Nam|Thôn Đông, xã Hợp Thịnh, Bắc Ninh|10052021"
YOUNG = "001199012345|012345679|Lê Thị Hoa|14021999|Nữ|Thôn Tây, xã Hợp Thịnh, Bắc Ninh|10052021"


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    root = tmp_path_factory.mktemp("ticket-screens")
    center = CenterService(root / "central")
    config = kiosk_settings(root / "kiosk", center, devices={"qr_reader": "sim://", "speaker": "sim://"})
    from screens import window

    window.configure(config.kiosk, headless=True, quiet=True)
    from kiosk.wiring import build
    from screens.app import KioskApp
    from screens.driver import ScreenDriver

    kiosk = build(config)
    driver = ScreenDriver(KioskApp(kiosk)).start()
    yield driver, center
    driver.stop()
    kiosk.close()
    center.close()


@pytest.fixture
def driver(rig):
    driver, center = rig
    app = driver.app
    app.end_visit()
    printer = app.kiosk.devices.printer
    printer.set_paper("ok")
    printer.close_cover()
    app.kiosk.desk.monitor.check()
    app.kiosk.devices.speaker.clear()
    center.start()
    driver.frames(2)
    return driver


@pytest.fixture
def center(rig):
    return rig[1]


def shot(driver, name: str) -> None:
    """Keep a screenshot (when asked to) and check what is on screen against the accessibility rules."""
    folder = os.environ.get("TICKET_SCREENSHOTS")
    if folder:
        driver.screenshot(Path(folder) / f"{name}.png")
    assert rule_breaks(driver) == [], name


def visible_box(widget):
    """The part of ``widget`` that shows, in window coordinates (a scrolled list hides what lies outside
    its frame); ``None`` when none of it does."""
    from kivy.uix.scrollview import ScrollView

    x, y = widget.to_window(widget.x, widget.y)
    box = [x, y, x + widget.width, y + widget.height]
    node = widget.parent
    while node is not None and node is not node.get_root_window():
        if isinstance(node, ScrollView):
            vx, vy = node.to_window(node.x, node.y)
            box = [max(box[0], vx), max(box[1], vy), min(box[2], vx + node.width), min(box[3], vy + node.height)]
        node = node.parent
    return box if box[0] < box[2] and box[1] < box[3] else None


def rule_breaks(driver) -> list[str]:
    """Touch targets of at least 15 mm, 3 mm apart; text at least the smallest size and 7:1 against what is
    behind it; nothing shown that the catalogs lack."""
    from kivy.uix.label import Label

    from screens import fonts, theme
    from screens.widgets import Pressable

    app, t = driver.app, driver.app.theme
    bars = (app.root.ids.top_bar, app.root.ids.bottom_bar, app.root.ids.notice)
    window = app.root.get_root_window()
    found = []
    targets = [w for w in driver.widgets() if isinstance(w, Pressable) and not w.disabled and w.opacity > 0
               and visible_box(w)]
    for w in targets:
        if min(w.width, w.height) < t.mm(theme.MIN_TARGET_MM) - 0.5:
            found.append(f"{w.tag} is {w.width:.0f}x{w.height:.0f} px")
    boxes = [(w.tag, visible_box(w)) for w in targets]
    for i, (tag_a, a) in enumerate(boxes):
        for tag_b, b in boxes[i + 1:]:
            if max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3]) < t.mm(theme.MIN_GAP_MM) - 0.5:
                found.append(f"{tag_a} and {tag_b} are closer than 3 mm")
    for w in driver.widgets():
        if not isinstance(w, Label) or not w.text or w.opacity == 0:
            continue
        node, behind = w.parent, t.colors.background
        while node is not None and node is not window:
            if node.proxy_ref in bars:  # the shell's bars are checked by the shell's tests
                behind = None
                break
            if isinstance(node, Pressable):
                behind = t.fill(node.style, node.state == "down")
                break
            node = node.parent
        if behind is None:
            continue
        if theme.contrast_ratio(w.color, behind) < theme.MIN_CONTRAST:
            found.append(f"{w.text!r} has too little contrast")
        if w.font_name != fonts.ICONS and w.font_size < t.font_small - 0.01:
            found.append(f"{w.text!r} is under the smallest text size")
    found += [f"not translated: {msg!r}" for lang, msg in i18n.missing if lang == app.language]
    return found


def said(driver) -> str:
    return " | ".join(u.text for u in driver.app.kiosk.devices.speaker.utterances)


def vi(message: str, **values) -> str:
    return i18n.translate(message, "vi", **values)


def open_services(driver) -> None:
    driver.tap("start")
    driver.tap("tile:ticket")
    assert driver.app.current == "ticket"
    assert driver.wait_until(lambda: "A" in driver.app.screen.tiles, WAIT_S), "the service tiles did not load"
    driver.frames(2)


def take_number(driver, timeout=WAIT_S):
    driver.tap("ticket:confirm")
    assert driver.wait_until(lambda: driver.app.current == "ticket_result", timeout), driver.app.screen.problem
    driver.frames(2)
    return driver.app.screen.issued


def test_a_citizen_takes_a_priority_number_with_touches_and_the_card(driver, center):
    """GIVEN a citizen of 78 WHEN they touch "queue number", a service, hold their CCCD under the reader and
    confirm THEN they get a priority number, shown very large and said aloud, printed with a QR code."""
    app = driver.app
    open_services(driver)
    shot(driver, "01-ticket-services")
    tile = app.screen.tiles["A"]
    assert tile.text == "Hộ tịch – Cư trú" and tile.hint == "Quầy 1, 2"

    driver.tap("service:A")
    assert app.current == "ticket_confirm"
    assert "Hộ tịch – Cư trú" in said(driver)  # the tile's name is spoken on touch
    app.kiosk.devices.qr_reader.push(ELDER)
    assert driver.wait_until(lambda: app.screen.priority == "age", WAIT_S)
    driver.frames(2)
    shot(driver, "02-ticket-confirm-priority")
    assert "Trần" not in app.screen.ids.card.text  # only the masked card number is shown
    today = dt.date.today()
    age = today.year - 1948 - ((today.month, today.day) < (6, 5))
    assert app.screen.ids.card.text == vi("Card {card}: {age} years old. You will be served first.",
                                          card="0010•••••345", age=age)
    assert vi("You are {age} years old. You will be served first.", age=age) in said(driver)
    assert "0010" not in said(driver)  # the card's number is never said aloud

    issued = take_number(driver)
    shot(driver, "03-ticket-result")

    assert issued.state == "printed" and issued.ticket.priority
    screen = app.screen
    assert screen.ids.number.text == issued.number and issued.number.startswith("A")
    assert screen.ids.number.font_size >= 2 * app.theme.font_display
    assert screen.ids.counter.text == "Quầy 1, 2"
    assert issued.ticket.position == 0  # the first priority number of the day
    assert screen.ids.details.text == vi("You are next.")
    spoken = said(driver)
    assert vi("Your number is {number}.", number=" ".join(issued.number)) in spoken
    assert vi("Please wait for counter {counters}.", counters="1 2") in spoken
    assert vi("You are next.") in spoken
    queue = {t["number"]: t for t in center.queue()}
    assert queue[issued.number]["priority"] is True
    printer = app.kiosk.devices.printer
    assert printer.wait_printed(30)
    picture = Image.open(printer.last_job.png_path)
    assert parse(zxingcpp.read_barcodes(picture)[0].text).value == issued.ticket.reference

    driver.tap("ticket:done")
    assert app.current == "rating"  # a visit that took a number ends with the rating (skippable)
    assert app.registry.get("rating").service == issued.ticket.service
    driver.tap("rating:skip")
    assert app.current == "attract"


def test_a_younger_citizen_can_still_ask_for_priority_or_skip_the_card(driver, center):
    app = driver.app
    center.issue("B")
    center.issue("B")
    open_services(driver)
    driver.tap("service:B")
    app.kiosk.devices.qr_reader.push(YOUNG)
    assert driver.wait_until(lambda: "75" in app.screen.ids.card.text, WAIT_S)
    assert app.screen.priority == ""
    driver.tap("ticket:pregnancy")
    assert app.screen.priority == "pregnancy"
    driver.tap("ticket:pregnancy")
    assert app.screen.priority == ""  # touched again: taken back

    issued = take_number(driver)
    assert issued.state == "printed" and not issued.ticket.priority and issued.ticket.service == "B"
    ahead, minutes = issued.ticket.position, issued.ticket.estimated_wait_minutes
    assert ahead == 2 and minutes > 0
    details = app.screen.ids.details.text
    assert vi("People ahead of you: {count}", count=2) in details
    assert vi("Estimated wait: about {minutes} min", minutes=minutes) in details
    assert vi("{count} people are ahead of you, about {minutes} minutes.", count=2, minutes=minutes) in said(driver)


def test_a_card_held_too_far_away_is_seen_and_the_citizen_is_asked_to_hold_it_closer(driver):
    from far_card import far_card_frame
    from screens.card_scan import MSG_HOLD_CLOSER

    app = driver.app
    open_services(driver)
    driver.tap("service:A")
    assert app.current == "ticket_confirm"
    app.kiosk.devices.qr_reader.push_image(far_card_frame(ELDER))
    assert driver.wait_until(lambda: app.screen.card_message == MSG_HOLD_CLOSER, WAIT_S)
    driver.frames(2)
    assert app.screen.ids.card.text == vi(MSG_HOLD_CLOSER) and vi(MSG_HOLD_CLOSER) in said(driver)
    app.kiosk.devices.qr_reader.push(ELDER)  # held closer
    assert driver.wait_until(lambda: app.screen.priority == "age", WAIT_S)


def test_searching_a_procedure_leads_to_its_service(driver):
    app = driver.app
    open_services(driver)
    driver.tap("ticket:search")
    assert app.current == "ticket_search"
    for key in "KHAI":
        driver.tap(f"key:{key}")
    driver.tap("key:space")
    for key in "SINH":
        driver.tap(f"key:{key}")
    assert app.screen.query == "KHAI SINH"
    found = lambda: sorted(w.tag for w in app.screen.ids.results.children)  # noqa: E731
    assert driver.wait_until(lambda: found() == ["procedure:HT-KS", "procedure:HT-KSL"], WAIT_S), found()
    driver.frames(2)
    shot(driver, "04-ticket-search")

    driver.tap("procedure:HT-KS")
    assert app.current == "ticket_confirm" and app.screen.service == "A"
    driver.tap("nav:back")
    for _ in range(4):
        driver.tap("key:delete")
    assert app.screen.query == "KHAI "


@pytest.fixture
def quiet_monitor(driver):
    """The printer monitor's periodic check paused, so a fault set after its last check is found while
    printing (as when paper runs out mid-queue), not by a check that happens to run in between."""
    monitor = driver.app.kiosk.desk.monitor
    monitor.stop()
    yield monitor
    monitor.start()


def test_paper_out_during_the_print_then_try_again(driver, center, quiet_monitor):
    app = driver.app
    open_services(driver)
    driver.tap("service:C")
    app.kiosk.devices.printer.set_paper("out")  # after the last check: the kiosk finds out while printing

    issued = take_number(driver)
    shot(driver, "05-ticket-paper-out")

    assert issued.state == "failed"
    assert app.screen.message == MSG_PAPER_OUT
    assert vi(MSG_PAPER_OUT) in said(driver)
    assert wait_until(lambda: [a for a in center.alerts() if issued.number in a["detail"]])

    app.kiosk.devices.printer.set_paper("ok")
    driver.tap("ticket:retry")
    assert driver.wait_until(lambda: issued.state == "printed", WAIT_S)
    driver.frames(2)
    assert app.screen.message != MSG_PAPER_OUT
    assert any(w.tag == "ticket:copy" for w in app.screen.ids.actions.children)
    driver.tap("ticket:copy")
    assert driver.wait_until(lambda: issued.copies == 1, WAIT_S)


def test_walking_away_from_an_unprinted_number_voids_it(driver, center, quiet_monitor):
    app = driver.app
    open_services(driver)
    driver.tap("service:D")
    app.kiosk.devices.printer.open_cover()  # found out while printing, as above
    issued = take_number(driver)
    assert issued.state == "failed"

    driver.tap("nav:home")

    assert driver.wait_until(lambda: issued.state == "voided", WAIT_S)
    assert wait_until(lambda: center.ticket(issued.ticket.reference)["status"] == "voided")
    assert issued.message == MSG_VOIDED


def test_while_no_ticket_can_be_printed_the_tiles_are_off_and_say_why(driver):
    app = driver.app
    printer, monitor = app.kiosk.devices.printer, app.kiosk.desk.monitor
    driver.tap("start")
    printer.set_paper("out")
    monitor.check()
    driver.frames(2)

    home_tile = app.screen.tiles["ticket"]
    assert home_tile.disabled and home_tile.hint == vi(PAPER_OUT)
    shot(driver, "06-home-no-paper")
    driver.tap("tile:ticket")
    assert app.current == "home"

    printer.set_paper("ok")
    monitor.check()
    driver.frames(2)
    assert not home_tile.disabled and home_tile.hint == vi("Print a number and wait to be called")
    driver.tap("tile:ticket")
    assert driver.wait_until(lambda: "A" in app.screen.tiles, WAIT_S)
    printer.set_paper("out")  # a citizen is choosing when the paper runs out
    monitor.check()
    driver.frames(2)
    shot(driver, "06-ticket-no-paper")

    assert app.screen.problem == PAPER_OUT
    assert app.screen.tiles["A"].disabled
    driver.tap("service:A")
    assert app.current == "ticket"


def test_when_allowed_the_number_and_its_qr_code_are_shown_on_screen(driver, center, tmp_path):
    app = driver.app
    config = app.kiosk.config
    allowed = dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, show_ticket_without_printer=True))
    app.kiosk.config = app.kiosk.desk.config = allowed
    try:
        app.kiosk.devices.printer.set_paper("out")
        app.kiosk.desk.monitor.check()
        open_services(driver)
        assert not app.screen.tiles["E"].disabled
        driver.tap("service:E")
        issued = take_number(driver)
        driver.frames(3)
        picture = driver.screenshot(tmp_path / "on-screen.png")
        shot(driver, "07-ticket-on-screen")
    finally:
        app.kiosk.config = app.kiosk.desk.config = config

    assert issued.state == "shown" and app.screen.message == MSG_ON_SCREEN
    codes = zxingcpp.read_barcodes(Image.open(picture))
    assert [c.text for c in codes] == [ticket_code(issued.ticket.reference)]
    assert center.ticket(issued.ticket.reference)["status"] == "waiting"


def test_a_ticket_held_under_the_reader_shows_its_place_in_the_queue(driver, center):
    app = driver.app
    open_services(driver)
    driver.tap("service:F")
    first = take_number(driver)
    driver.tap("ticket:done")
    driver.tap("rating:skip")
    open_services(driver)
    driver.tap("service:F")

    app.kiosk.devices.qr_reader.push(first.slip.qr)

    assert driver.wait_until(lambda: app.current == "ticket_status", WAIT_S)
    assert driver.wait_until(lambda: app.screen.number == first.number, WAIT_S)
    driver.frames(2)
    shot(driver, "08-ticket-status")
    live = center.ticket(first.ticket.reference)
    assert live["position"] == 0 and app.screen.ids.details.text == vi("You are next.")
    assert app.screen.ids.state.text == vi("Waiting to be called.")
    assert first.number in said(driver)


def test_the_ticket_screens_in_english_keep_the_rules(driver, center):
    app = driver.app
    driver.tap("start")
    driver.tap("nav:language")
    assert app.language == "en"
    driver.tap("tile:ticket")
    assert driver.wait_until(lambda: "A" in app.screen.tiles, WAIT_S)
    driver.frames(2)
    shot(driver, "10-ticket-services-en")
    assert app.screen.tiles["A"].text == "Civil status and residence" and app.screen.tiles["A"].hint == "Counter 1, 2"
    driver.tap("ticket:search")
    driver.tap("key:B")
    driver.frames(2)
    shot(driver, "11-ticket-search-en")
    driver.tap("nav:back")
    driver.tap("service:A")
    shot(driver, "12-ticket-confirm-en")
    issued = take_number(driver)
    shot(driver, "13-ticket-result-en")
    assert "Your number is" in said(driver) and issued.job.raster_lines == [app.kiosk.config.center.name]
    app.go("ticket_status", handle=issued.ticket.reference)
    assert driver.wait_until(lambda: app.screen.number == issued.number, WAIT_S)
    driver.frames(2)
    shot(driver, "14-ticket-status-en")
    assert app.screen.ids.state.text == "Waiting to be called."


def test_offline_the_number_comes_from_the_kiosks_range_and_says_so(driver, center):
    app = driver.app
    open_services(driver)
    center.stop()
    driver.tap("service:A")

    issued = take_number(driver)
    driver.frames(2)
    shot(driver, "09-ticket-offline")

    assert issued.ticket.offline and issued.number.startswith("K1-A")
    assert app.screen.offline_notice
    printed = render(app.kiosk.devices.printer.last_job.data).lines
    assert issued.number in printed
