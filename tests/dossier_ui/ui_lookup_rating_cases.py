"""Look-up, details, pickup at the locker and rating, with real touches in a real offscreen window.

These run in a process of their own (``test_lookup_rating_ui.py`` starts it): Kivy opens one window
per process. Everything is real but the hardware: the kiosk is built by ``wiring.build`` against the
central service on loopback, dossiers are made through its kiosk and staff APIs, slips and cards come
from the simulated QR reader, the simulated locker plays the doors (the tests open, take and close as a
citizen would), the simulated printer prints. Run them alone with
``pytest tests/dossier_ui/ui_lookup_rating_cases.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PIL import Image

from kiosk import config as kiosk_config
from kiosk import i18n
from kiosk.dossiers import STATUS_NAMES
from kiosk.i18n import translate
from kiosk.references import dossier_code
from lookup_rig import KIOSK_NAME, OWNER_PAYLOAD, STRANGER_PAYLOAD, Center

pytestmark = pytest.mark.ui

#: The longest wait for work on other threads (reader, central service, locker, outbox); generous.
WAIT_S = 20.0


def vi(message: str, **values) -> str:
    return translate(message, "vi", **values)


@pytest.fixture(scope="session")
def rig(tmp_path_factory):
    base = tmp_path_factory.mktemp("lookup-ui")
    center = Center(base / "central")
    config = kiosk_config.from_dict(
        {
            "kiosk": {"id": KIOSK_NAME, "data_dir": str(base / "kiosk")},
            "central": {"url": center.url, "token": center.kiosk_token, "embedded": False,
                        "connect_timeout_s": 1.0},
            "devices": {"qr_reader": "sim://", "camera": "sim://", "printer": "sim://", "speaker": "sim://",
                        "locker": "sim://?compartments=A1,A2,A3"},
        },
        "<lookup ui tests>",
    )
    from screens import window

    window.configure(config.kiosk, headless=True, quiet=True)

    from kiosk.wiring import build
    from screens.app import KioskApp
    from screens.driver import ScreenDriver

    kiosk = build(config)
    driver = ScreenDriver(KioskApp(kiosk)).start()
    driver.center = center
    driver.base = base
    yield driver
    driver.stop()
    kiosk.close()
    center.close()


@pytest.fixture
def driver(rig):
    """A fresh visit on the home screen, in Vietnamese; the center up, the reader and locker without faults."""
    rig.center.start()
    devices = rig.app.kiosk.devices
    devices.qr_reader.clear_fault()
    devices.locker.clear_fault()
    rig.app.end_visit()
    devices.speaker.clear()
    i18n.missing.clear()
    start(rig)
    yield rig
    assert not {(lang, msg) for lang, msg in i18n.missing if lang in ("vi", "en")}, "untranslated text on screen"


# --- helpers --------------------------------------------------------------------------------------


def start(driver) -> None:
    """Touch the attract screen to begin a visit (after a few frames: a touch right after the last one
    at the same place would be taken for its continuation)."""
    driver.frames(3)
    driver.tap("start")
    assert driver.app.current == "home"


def wait(driver, condition, what: str) -> None:
    assert driver.wait_until(condition, WAIT_S), f"waited in vain for {what}"
    driver.frames(2)


def shot(driver, name: str) -> Image.Image:
    path = driver.screenshot(driver.base / "shots" / f"{name}.png")
    picture = Image.open(path).convert("L")
    low, high = picture.getextrema()
    assert high - low > 100, f"{name}: the screenshot is blank"
    return picture


def open_lookup(driver):
    driver.tap("tile:lookup")
    screen = driver.app.registry.get("lookup")
    assert driver.app.current == "lookup"
    wait(driver, lambda: screen.scan.running, "the slip scan to start")
    return screen


def type_code(driver, code: str) -> None:
    quick = {w.tag for w in driver.widgets() if str(getattr(w, "tag", "")).startswith("key:quick:")}
    for ch in code:
        if ch.isalpha():
            if f"key:quick:{ch}" in quick:
                driver.tap(f"key:quick:{ch}")
            else:
                driver.tap("key:letters")
                driver.tap(f"key:{ch}")
                driver.tap("key:digits")
        else:
            driver.tap(f"key:{ch}")


def look_up(driver, code: str) -> object:
    """Home → lookup → the slip held under the reader → the status screen."""
    open_lookup(driver)
    driver.app.kiosk.devices.qr_reader.push(dossier_code(code))
    wait(driver, lambda: driver.app.current == "dossier_status" and driver.app.screen.status_text,
         "the dossier's status")
    return driver.app.screen


def see_details(driver, payload: str = OWNER_PAYLOAD):
    """From the status screen: "See details", the card under the reader, "This is me"."""
    driver.tap("status:details")
    assert driver.app.current == "identify"
    identify = driver.app.screen
    wait(driver, lambda: identify.scan.running, "the card scan to start")
    driver.app.kiosk.devices.qr_reader.push(payload)
    wait(driver, lambda: identify.state == "confirm", "the card to be read")
    driver.tap("identify:confirm")
    screen = driver.app.registry.get("dossier_details")
    assert driver.app.current == "dossier_details"
    wait(driver, lambda: screen.state not in ("loading",) and not screen.busy, "the dossier's details")
    return screen


def tags(driver) -> set[str]:
    return {str(getattr(w, "tag", "")) for w in driver.widgets() if getattr(w, "tag", "")}


def texts(widget) -> str:
    from kivy.uix.label import Label

    return "\n".join(w.text for w in widget.walk(restrict=True) if isinstance(w, Label) and w.text)


def ready_in_locker(driver, compartment: str, message: str = "") -> str:
    center, locker = driver.center, driver.app.kiosk.devices.locker
    code = center.submit()
    center.ready(code, compartment, message)
    locker.load(compartment)
    return code


def pick_up(driver, code: str):
    look_up(driver, code)
    details = see_details(driver)
    assert details.state == "shown" and details.place
    driver.tap("details:pickup")
    assert driver.app.current == "dossier_pickup"
    return driver.app.screen


# --- looking up -----------------------------------------------------------------------------------


def test_a_slip_held_under_the_reader_shows_status_and_expected_date(driver):
    """GIVEN a dossier received at the center WHEN its slip's QR code is held under the reader on the
    lookup screen THEN its status shows in words with its icon and the expected date, nothing personal."""
    code = driver.center.submit()
    screen = look_up(driver, code)
    assert screen.code == code
    assert screen.status_text == vi("Received by the center") == "Đã tiếp nhận"
    assert screen.icon == "move_to_inbox"
    expected = dt.date.fromisoformat(driver.center.dossier(code)["expected_result_date"])
    assert str(expected.year) in screen.ids.expected.text and screen.ids.expected.text.startswith("Ngày hẹn")
    assert "Đỗ" not in texts(screen)  # the public view names nobody
    assert any(screen.status_text in said for said in driver.app.kiosk.devices.speaker.said())
    shot(driver, "lookup-01-status")


def test_a_code_typed_on_the_keypad_shows_the_status_and_bad_codes_are_explained(driver):
    """GIVEN the lookup screen WHEN a too short code, a chip ID card, an unknown code and then the right
    code are tried THEN each wrong one gets its own clear message and the right one its status."""
    code = driver.center.submit()
    screen = open_lookup(driver)
    shot(driver, "lookup-00-keypad")
    type_code(driver, "H")
    driver.tap("lookup:go")
    assert screen.message == "Please type the whole code printed on your slip, for example HT01-2611-000123."
    assert screen.ids.hint.text.startswith("Vui lòng nhập đầy đủ mã")

    driver.app.kiosk.devices.qr_reader.push(OWNER_PAYLOAD)
    wait(driver, lambda: screen.message.startswith("This is your ID card"), "the polite card message")
    assert driver.app.identity is None, "a card shown on the lookup screen is not kept"

    type_code(driver, "T9-0")
    assert screen.code == "HT9-0"
    driver.tap("lookup:go")
    wait(driver, lambda: not screen.busy and screen.message_kind == "error", "the unknown code's answer")
    assert screen.message.startswith("No dossier with this code was found")
    assert driver.app.current == "lookup"

    driver.tap("key:clear")
    type_code(driver, code)
    assert screen.code == code
    driver.tap("lookup:go")
    wait(driver, lambda: driver.app.current == "dossier_status" and driver.app.screen.status_text, "the status")
    assert driver.app.screen.code == code


def test_lookups_offline_and_past_the_limit_say_what_to_do(driver):
    """GIVEN a known dossier WHEN its slip is scanned while the center is down, and looked up again once
    this kiosk asked too often THEN the citizen reads that the records cannot be reached, then that they
    should wait a minute."""
    code = driver.center.submit()
    screen = open_lookup(driver)
    driver.center.stop()
    driver.app.kiosk.devices.qr_reader.push(dossier_code(code))
    wait(driver, lambda: not screen.busy and screen.message_kind == "error", "the offline answer")
    assert screen.message.startswith("The center's records cannot be reached")
    assert driver.app.current == "lookup" and screen.code == code
    driver.center.start()
    driver.center.exhaust_lookups(100_000)
    try:
        driver.tap("lookup:go")
        wait(driver, lambda: not screen.busy and screen.message.startswith("Too many look-ups"), "the 429 answer")
    finally:
        driver.center.exhaust_lookups(0)


# --- details ----------------------------------------------------------------------------------------


def test_the_owner_sees_documents_history_and_the_staff_request_first(driver):
    """GIVEN a dossier staff sent back for more documents WHEN its owner looks it up and scans the
    matching card THEN the details show the staff's request prominently, the history with dates."""
    center = driver.center
    code = center.submit()
    center.move(code, "processing")
    request = "Vui lòng bổ sung bản sao giấy chứng nhận quyền sử dụng đất."
    center.move(code, "needs_supplement", request)
    status = look_up(driver, code)
    assert status.status_text == vi(STATUS_NAMES["needs_supplement"])
    details = see_details(driver)
    assert details.state == "shown"
    first = driver.find("details:message:0")
    assert request in texts(first) and first.latest
    body = texts(details.ids.content)
    assert body.index(vi("Messages from staff")) < body.index(vi("History"))
    today = dt.date.today().strftime("%d/%m/")
    assert body.count(today) >= 3, "received, processing and the request, each with its date"
    assert vi(STATUS_NAMES["needs_supplement"]) in body
    assert "details:pickup" not in tags(driver)
    shot(driver, "lookup-02-details")


def test_a_card_that_is_not_the_owners_shows_nothing_and_is_not_kept(driver):
    """GIVEN a ready dossier WHEN someone else's card is scanned for its details THEN a polite message,
    no documents, history or pickup, the card leaves the visit; "someone else" calls staff."""
    code = ready_in_locker(driver, "A1")
    status = look_up(driver, code)
    assert status.ready
    details = see_details(driver, STRANGER_PAYLOAD)
    assert details.state == "mismatch"
    assert details.message.startswith("This ID card is not the card of the dossier's owner")
    assert details.ids.content.children == [] and details.details == {}
    assert details.status_text == "" and "details:pickup" not in tags(driver)
    assert driver.app.identity is None, "the card scanned for this dossier is not kept"
    shot(driver, "lookup-03-not-owner")

    driver.tap("details:someone_else")
    wait(driver, lambda: any(a["kind"] == "pickup_authorised" for a in driver.center.alerts()),
         "the staff alert for an authorised pickup")
    assert driver.app.kiosk.devices.locker.state("A1").occupied, "nothing was opened"


def test_a_card_already_in_the_visit_is_not_used_again_for_a_dossier_it_does_not_own(driver):
    code = driver.center.submit()
    driver.tap("tile:identify")
    identify = driver.app.screen
    wait(driver, lambda: identify.scan.running, "the card scan")
    driver.app.kiosk.devices.qr_reader.push(STRANGER_PAYLOAD)
    wait(driver, lambda: identify.state == "confirm", "the card")
    driver.tap("identify:confirm")
    stranger = driver.app.identity
    assert stranger is not None
    driver.tap("nav:home")
    look_up(driver, code)
    driver.tap("status:details")  # the card in the visit is tried at once
    details = driver.app.screen
    wait(driver, lambda: details.state == "mismatch", "the owner check")
    assert driver.app.identity is stranger, "identified for the visit, so kept for the visit"
    driver.tap("nav:back")
    driver.tap("status:details")
    assert driver.app.current == "identify", "but not used again for this dossier"


# --- pickup -----------------------------------------------------------------------------------------


def test_pickup_at_the_locker_records_the_handover_prints_the_slip_then_rating(driver):
    """GIVEN a result staff put in compartment A3 of this kiosk WHEN the owner picks it up, takes it and
    closes the door THEN the handover is recorded with kiosk and compartment, the pickup slip printed,
    and Finish leads to the rating, sent with the procedure's service."""
    app, center, locker, printer = driver.app, driver.center, driver.app.kiosk.devices.locker, driver.app.kiosk.devices.printer
    code = ready_in_locker(driver, "A3")
    jobs = len(printer.jobs)
    events = len(locker.events)
    screen = pick_up(driver, code)
    assert locker.wait_event("opened", "A3", WAIT_S, after=events) is not None
    wait(driver, lambda: screen.step == "open", "the open door's step")
    assert screen.message == "Compartment {compartment} is open. Take your result and close the door."
    assert screen.ids.message.text == vi(screen.message, compartment="A3")
    assert not screen.navigation, "back and home are hidden while the door is open"
    assert center.dossier(code)["status"] == "ready_for_pickup", "nothing is recorded while the door is open"
    shot(driver, "lookup-04-pickup-open")

    locker.take("A3")
    locker.close("A3")
    wait(driver, lambda: screen.state == "done", "the pickup to finish")
    seen = center.dossier(code)
    assert seen["status"] == "handed_over"
    assert seen["pickup"]["kiosk"] == KIOSK_NAME and seen["pickup"]["compartment"] == "A3"
    assert screen.step == "printed" and screen.ids.message.text.startswith("Xong")
    assert len(printer.jobs) == jobs + 1 and printer.wait_printed(30)
    shot(driver, "lookup-05-pickup-done")

    before = len(center.ratings())
    driver.tap("pickup:finish")
    assert app.current == "rating" and app.screen.service == "C"
    driver.tap("rating:face:3")
    driver.tap("rating:send")
    wait(driver, lambda: app.current == "attract", "the visit to end after the thanks")
    wait(driver, lambda: len(center.ratings()) > before, "the rating to reach the center")
    assert center.ratings()[-1] == {"score": 3, "reasons": [], "service": "C", "counter": None}

    # the same result cannot be collected twice
    start(driver)
    look_up(driver, code)
    assert app.screen.status_text == vi(STATUS_NAMES["handed_over"])
    details = see_details(driver)
    assert details.state == "shown" and "details:pickup" not in tags(driver)
    events = len(locker.events)
    app.go("dossier_pickup", code=code, compartment="A3")
    again = app.screen
    wait(driver, lambda: again.state == "failed", "the second pickup to be refused")
    assert again.message == "The result of this dossier has already been handed over."
    assert locker.events[events:] == [], "no door opened for a result already handed over"


def test_a_jammed_compartment_records_no_handover_and_calls_staff(driver):
    center, locker = driver.center, driver.app.kiosk.devices.locker
    code = ready_in_locker(driver, "A2")
    locker.set_fault("jammed", "A2")
    screen = pick_up(driver, code)
    wait(driver, lambda: screen.state == "failed", "the jammed lock to be reported")
    assert screen.message.startswith("The compartment did not open")
    assert screen.icon == "report_problem" and screen.navigation
    assert center.dossier(code)["status"] == "ready_for_pickup"
    wait(driver, lambda: any(a["kind"] == "locker_jammed" for a in center.alerts()), "the staff alert")
    assert "pickup:back" in tags(driver)
    shot(driver, "lookup-06-pickup-jammed")


def test_a_result_ready_at_the_counter_offers_a_queue_number_for_its_service(driver):
    code = driver.center.submit()
    driver.center.ready(code)
    look_up(driver, code)
    details = see_details(driver)
    assert details.state == "shown" and not details.place
    assert details.ids.where.text.startswith("Vui lòng nhận kết quả tại quầy")
    driver.tap("details:queue")
    assert driver.app.current == "ticket_confirm" and driver.app.screen.service == "C"


# --- rating -----------------------------------------------------------------------------------------


def test_rating_from_the_home_tile_is_recorded_anonymously_with_its_reasons(driver):
    app, center = driver.app, driver.center
    before = len(center.ratings())
    driver.tap("tile:rating")
    screen = app.screen
    assert app.current == "rating" and screen.service is None
    assert screen.ids.reasons.opacity == 0, "reasons come after a face"
    driver.tap("rating:face:4")
    driver.tap("rating:reason:quick")
    driver.tap("rating:reason:friendly_staff")
    driver.tap("rating:reason:quick")  # changed their mind
    assert screen.faces[4].style == "tile" and screen.reasons == ["friendly_staff"]
    shot(driver, "lookup-07-rating")
    driver.tap("rating:send")
    assert screen.state == "sending" or screen.state == "thanks"
    wait(driver, lambda: screen.state == "thanks", "the thanks")
    assert screen.ids.message.text == vi("Thank you for your rating! Goodbye.")
    wait(driver, lambda: app.current == "attract", "the visit to end")
    wait(driver, lambda: len(center.ratings()) > before, "the rating to reach the center")
    assert center.ratings()[-1] == {"score": 4, "reasons": ["friendly_staff"], "service": None, "counter": None}


def test_done_on_a_printed_ticket_leads_to_the_rating_with_its_service(driver):
    app, center = driver.app, driver.center
    driver.tap("tile:ticket")
    wait(driver, lambda: "A" in app.screen.tiles, "the service tiles")
    driver.tap("service:A")
    driver.tap("ticket:confirm")
    wait(driver, lambda: app.current == "ticket_result" and app.screen.issued is not None, "the ticket")
    issued = app.screen.issued
    assert issued.state == "printed"
    driver.tap("ticket:done")
    assert app.current == "rating" and app.screen.service == "A"
    before = len(center.ratings())
    driver.tap("rating:face:2")
    driver.tap("rating:reason:slow_wait")
    driver.tap("rating:send")
    wait(driver, lambda: app.current == "attract", "the visit to end")
    wait(driver, lambda: len(center.ratings()) > before, "the rating to reach the center")
    rating = center.ratings()[-1]
    assert rating["score"] == 2 and rating["reasons"] == ["slow_wait"] and rating["service"] == "A"


def test_skip_ends_the_visit_without_a_rating_and_every_screen_shows_without_parameters(driver):
    app, center = driver.app, driver.center
    for name, message in (("lookup", None), ("dossier_status", "Look up a dossier first: scan its slip or type its code."),
                          ("dossier_details", "Look up a dossier first: scan its slip or type its code."),
                          ("dossier_pickup", "Look up a dossier first: scan its slip or type its code.")):
        app.go(name)
        driver.frames(2)
        assert app.current == name
        if message:
            assert app.screen.message == message
    before = len(center.ratings())
    app.finish_visit()
    assert app.current == "attract", "a visit that did nothing ends without a rating"
    start(driver)
    app.finish_visit(service="B")
    assert app.current == "rating" and app.screen.service == "B"
    driver.frames(2)
    driver.tap("rating:skip")
    assert app.current == "attract"
    driver.frames(3)
    assert len(center.ratings()) == before
