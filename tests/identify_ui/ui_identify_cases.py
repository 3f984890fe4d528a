"""The identify screen, the visit, the idle warning and "call staff", with real touches in a real window.

These run in a process of their own (``test_identify_ui.py`` starts it): Kivy opens one window per
process. Everything is real but the hardware: the kiosk is built by ``wiring.build`` against the central
service on loopback, cards come from the simulated QR reader, speech goes to the simulated speaker.
Run them alone with ``pytest tests/identify_ui/ui_identify_cases.py``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

import pytest
import pytesseract
import qrcode
from PIL import Image, ImageOps

from far_card import far_card_frame
from identify_rig import (
    ADDRESS,
    ID_NUMBER,
    MASKED_ID,
    MISMATCH_ID,
    MISMATCH_NAME,
    MISMATCH_PAYLOAD,
    NAME,
    OTHER_NAME,
    OTHER_PAYLOAD,
    PAYLOAD,
    Central,
)
from kiosk import config as kiosk_config
from kiosk import i18n
from kiosk.i18n import translate
from kiosk.visit.idle import MSG_COUNTDOWN, MSG_STILL_THERE

pytestmark = pytest.mark.ui

#: The longest wait for work on other threads (the reader, the central service); generous for a busy machine.
WAIT_S = 20.0


@dataclass
class Rig:
    driver: object
    kiosk: object
    central: Central

    @property
    def app(self):
        return self.driver.app

    @property
    def reader(self):
        return self.kiosk.devices.qr_reader

    @property
    def speaker(self):
        return self.kiosk.devices.speaker

    @property
    def screen(self):
        return self.app.registry.get("identify")


@pytest.fixture(scope="session")
def rig(tmp_path_factory):
    base = tmp_path_factory.mktemp("identify-ui")
    central = Central(base / "central")
    config = kiosk_config.from_dict(
        {
            "kiosk": {"data_dir": str(base / "kiosk")},
            "central": {"url": central.url, "token": central.kiosk_token, "embedded": False, "connect_timeout_s": 1.0},
        },
        "<identify ui tests>",
    )
    from screens import window

    window.configure(config.kiosk, headless=True, quiet=True)

    from kiosk.wiring import build
    from screens.app import KioskApp
    from screens.driver import ScreenDriver

    kiosk = build(config)
    driver = ScreenDriver(KioskApp(kiosk)).start()
    yield Rig(driver, kiosk, central)
    driver.stop()
    kiosk.close()
    central.stop()


@pytest.fixture
def ui(rig):
    """A fresh visit on the attract screen; time stands still for the idle timer until a test moves it."""
    from screens.demo_script import SkippableClock
    from screens.identify import SCAN_TIMEOUT_S

    rig.central.start()
    rig.reader.clear_fault()
    rig.app.end_visit()
    rig.app.idle.clock = SkippableClock(lambda: 1000.0)
    rig.screen.scan_timeout_s = SCAN_TIMEOUT_S
    rig.speaker.clear()
    i18n.missing.clear()
    rig.driver.frames(1)
    return rig


# --- helpers --------------------------------------------------------------------------------------


def scanning(rig: Rig) -> None:
    """Wait until the card scan runs, and the screen has been laid out for it."""
    assert rig.driver.wait_until(lambda: rig.screen.scan.running, WAIT_S), "the scan did not start"
    rig.driver.frames(2)


def open_identify(rig: Rig, *, wait: bool = True) -> None:
    rig.driver.tap("start")
    rig.driver.tap("tile:identify")
    assert rig.app.current == "identify"
    if wait:
        scanning(rig)


def show_card(rig: Rig, payload: str, state: str = "confirm") -> None:
    rig.reader.push(payload)
    assert rig.driver.wait_until(lambda: rig.screen.state == state, WAIT_S), f"the screen shows {rig.screen.state!r}"
    rig.driver.frames(2)


def identify(rig: Rig, payload: str = PAYLOAD) -> None:
    open_identify(rig)
    show_card(rig, payload)
    rig.driver.tap("identify:confirm")


def texts_on_screen(rig: Rig) -> list[str]:
    from kivy.uix.label import Label

    return [w.text for w in rig.driver.widgets() if isinstance(w, Label) and w.text and w.opacity > 0]


def crop(image: Image.Image, widget) -> Image.Image:
    x, y = widget.to_window(widget.x, widget.y)
    top = image.height - (y + widget.height)
    return image.crop((int(x), int(top), int(x + widget.width), int(top + widget.height)))


def ocr(image: Image.Image) -> str:
    gray = ImageOps.expand(image.convert("L"), border=20, fill=255)
    text = pytesseract.image_to_string(gray, lang="vie", config="--psm 7")
    return unicodedata.normalize("NFC", " ".join(text.split()))


def qr_frame(text: str) -> Image.Image:
    """A camera frame with a QR code of ``text`` in the middle of a grey desk."""
    code = qrcode.make(text, border=4).get_image().convert("RGB").resize((330, 330), Image.NEAREST)
    frame = Image.new("RGB", (1280, 720), (120, 110, 100))
    frame.paste(code, (475, 195))
    return frame


def let_time_pass(rig: Rig, seconds: float) -> None:
    from screens.demo_script import let_time_pass as skip

    skip(rig.driver, seconds)


# --- identifying ----------------------------------------------------------------------------------


def test_a_card_is_shown_with_its_name_and_masked_number_and_confirming_keeps_it_in_the_visit(ui, tmp_path, caplog):
    """GIVEN the identify screen WHEN a card is read THEN name and masked ID are on screen, read back by OCR."""
    caplog.set_level(logging.DEBUG)
    open_identify(ui)
    show_card(ui, PAYLOAD)

    panel = ui.screen.panels["confirm"]
    assert panel.ids.name.text == NAME and panel.ids.number.text == MASKED_ID
    shot = Image.open(ui.driver.screenshot(tmp_path / "confirm.png")).convert("RGB")
    assert ocr(crop(shot, panel.ids.name)) == NAME
    digits = re.sub(r"\D", "", ocr(crop(shot, panel.ids.number)))
    assert digits.startswith("0011") and digits.endswith("345") and ID_NUMBER not in digits
    assert translate("Is this you?", "vi") in texts_on_screen(ui)
    assert ui.app.identity is None  # not before the citizen says so

    ui.driver.tap("identify:confirm")

    assert ui.app.current == "home"
    assert ui.app.identity.full_name == NAME and ui.app.visit.identity.citizen.address == ADDRESS
    assert ui.app.notice == "Thank you. Your details will be filled in for you."
    assert ui.screen.full_name == "" and ui.screen.masked_id == ""  # the screen forgot what it showed
    said = " ".join(ui.speaker.said())
    assert NAME not in said and ID_NUMBER not in said  # nobody in the hall hears who it is
    for secret in (NAME, ID_NUMBER, ADDRESS):
        assert secret not in caplog.text


def test_the_confirmation_is_relabelled_in_english_and_spoken_in_the_visit_language(ui):
    open_identify(ui)
    show_card(ui, PAYLOAD)
    assert ui.speaker.said("vi")[-1] == translate("Please check the name and the ID number on the screen. "
                                                  "If they are yours, touch \"This is me\".", "vi")
    ui.driver.tap("nav:language")
    texts = texts_on_screen(ui)
    assert "Is this you?" in texts and "This is me" in texts and "Scan again" in texts
    assert NAME in texts and MASKED_ID in texts
    assert not {(lang, msg) for lang, msg in i18n.missing if lang in ("vi", "en")}


def test_scan_again_forgets_the_first_card_and_reads_the_next(ui):
    open_identify(ui)
    show_card(ui, PAYLOAD)
    ui.driver.tap("identify:again")
    assert ui.screen.state == "scanning" and NAME not in texts_on_screen(ui)
    scanning(ui)
    show_card(ui, OTHER_PAYLOAD)
    ui.driver.tap("identify:confirm")
    assert ui.app.identity.full_name == OTHER_NAME


def test_a_card_whose_details_disagree_sends_the_citizen_to_staff_and_alerts_them(ui):
    open_identify(ui)
    show_card(ui, MISMATCH_PAYLOAD, state="staff")

    texts = texts_on_screen(ui)
    assert translate("Staff will check your card", "vi") in texts
    assert MISMATCH_NAME not in texts and ui.app.identity is None
    assert ui.driver.wait_until(lambda: ui.app.notice not in ("", "Calling staff…"), WAIT_S)
    assert ui.app.notice == "Staff have been called. Someone will come to help you."
    check = ("Your card could be read, but some of its details do not agree. "
             "This is not your fault: a staff member will check it with you.")
    assert ui.speaker.said("vi")[-1] == translate(check, "vi")  # the notices are shown, not spoken over it
    alerts = [a for a in ui.central.alerts() if a["kind"] == "id_check"]
    assert alerts and alerts[0]["screen"] == "identify" and "sex_mismatch" in alerts[0]["detail"]
    assert MISMATCH_ID not in alerts[0]["detail"] and MISMATCH_NAME not in alerts[0]["detail"]

    ui.driver.tap("identify:again")  # a citizen with another card can still go on
    scanning(ui)
    show_card(ui, PAYLOAD)
    assert ui.screen.full_name == NAME


NOT_A_CARD = [
    ("https://dichvucong.gov.vn/p/home",
     "This QR code is a web address, not an ID card. Please show the QR code on your chip ID card."),
    ("WIFI:S:Sanh-cho;T:WPA;P:12345678;;",
     "This QR code is for Wi-Fi, not an ID card. Please show the QR code on your chip ID card."),
    ("MOTCUA:T:3f2a9c1e-ticket",
     "This is a queue ticket, not an ID card. Please show the QR code on your chip ID card."),
    ("Chúc mừng năm mới",
     "This QR code is not from an ID card. Please show the QR code on your chip ID card."),
    ("0011900123|x|y",
     "The QR code could not be read as an ID card. Please try again or ask the staff for help."),
]


def test_codes_that_are_not_a_cccd_get_a_clear_message_each_and_the_scan_goes_on(ui):
    open_identify(ui)
    for code, message in NOT_A_CARD:
        ui.reader.push(code)
        assert ui.driver.wait_until(lambda: ui.screen.message == message, WAIT_S), code
        ui.driver.frames(1)
        shown = ui.screen.panels["scan"].ids.message
        assert shown.text == translate(message, "vi") and shown.parent.opacity == 1
        assert ui.speaker.said("vi")[-1] == translate(message, "vi")
        assert ui.screen.state == "scanning" and ui.screen.scan.running
    show_card(ui, PAYLOAD)  # the same loop goes on reading
    assert ui.screen.full_name == NAME


def test_a_queue_ticket_held_to_the_reader_leads_to_its_place_in_the_queue(ui):
    open_identify(ui)
    assert ui.driver.find("identify:ticket").disabled
    ui.reader.push("MOTCUA:T:3f2a9c1e-ticket")
    assert ui.driver.wait_until(lambda: ui.screen.ticket, WAIT_S)
    ui.driver.frames(2)
    ui.driver.tap("identify:ticket")
    assert ui.app.current == "ticket_status" and ui.app.screen.handle == "3f2a9c1e-ticket"
    assert not ui.screen.scan.running and ui.screen.ticket == ""
    ui.driver.tap("nav:back")
    assert ui.app.current == "identify"


def test_the_camera_view_shows_the_readers_frames_inside_the_guide_frame(ui, tmp_path):
    open_identify(ui)
    view = ui.screen.panels["scan"].ids.view
    assert ui.screen.camera and not ui.screen.has_frame and view.opacity == 0
    ui.reader.push_image(qr_frame("https://example.org/not-a-card"))
    assert ui.driver.wait_until(lambda: ui.screen.has_frame and ui.screen.message, WAIT_S)
    ui.driver.frames(2)
    assert tuple(ui.screen.view_texture.size) == (1280, 720) and view.opacity == 1
    shot = Image.open(ui.driver.screenshot(tmp_path / "view.png")).convert("L")
    inside = crop(shot, view)
    low, high = inside.getextrema()
    assert low < 40 and high > 215  # the code's black and white modules are drawn
    ui.driver.tap("nav:back")
    assert ui.screen.view_texture is None and not ui.screen.scan.running


def test_a_card_too_far_away_is_seen_and_the_citizen_is_asked_to_hold_it_closer(ui):
    """GIVEN the identify screen WHEN a card is held so far away that its code is seen but cannot be read
    THEN the screen says, and speaks once, to hold it closer and still; held closer, it is read."""
    from screens.identify import MSG_CLOSER

    open_identify(ui)
    ui.reader.push_image(far_card_frame(PAYLOAD))
    assert ui.driver.wait_until(lambda: ui.screen.message == MSG_CLOSER, WAIT_S)
    ui.driver.frames(2)
    shown = ui.screen.panels["scan"].ids.message
    assert shown.text == translate(MSG_CLOSER, "vi") and shown.parent.opacity == 1
    assert ui.speaker.said("vi")[-1] == translate(MSG_CLOSER, "vi")
    assert ui.screen.state == "scanning" and ui.screen.scan.running
    show_card(ui, PAYLOAD)  # held closer: read at once
    assert ui.screen.full_name == NAME
    assert ui.speaker.said("vi").count(translate(MSG_CLOSER, "vi")) == 1


def test_nothing_read_in_time_says_what_to_do_and_try_again_scans_again(ui):
    ui.screen.scan_timeout_s = 0.4
    open_identify(ui, wait=False)  # the scan may be over before anyone looks
    assert ui.driver.wait_until(lambda: ui.screen.state == "timeout", WAIT_S)
    ui.driver.frames(1)
    message = "No ID card was read. Touch \"Try again\" and hold the QR code on your card still, or call staff for help."
    assert ui.screen.panels["help"].ids.message.text == translate(message, "vi")
    assert ui.speaker.said("vi")[-1] == translate(message, "vi")
    assert not ui.screen.scan.running
    ui.screen.scan_timeout_s = 30.0
    ui.driver.tap("identify:again")
    scanning(ui)
    show_card(ui, PAYLOAD)


def test_a_broken_reader_says_so_and_staff_are_alerted(ui):
    open_identify(ui)
    ui.reader.set_fault("disconnected")
    assert ui.driver.wait_until(lambda: ui.screen.state == "unavailable", WAIT_S)
    assert ui.driver.wait_until(lambda: ui.app.notice not in ("", "Calling staff…"), WAIT_S)
    assert any(a["kind"] == "qr_reader_failed" and a["screen"] == "identify" for a in ui.central.alerts())
    ui.reader.clear_fault()
    ui.driver.tap("identify:again")
    scanning(ui)


def test_a_flow_opens_it_for_its_purpose_may_let_the_citizen_skip_and_gets_the_identity(ui):
    app = ui.app
    ui.driver.tap("start")
    app.go("identify", purpose="Rate the service", optional=True, then="coming_soon",
           then_params={"title": "Rate the service"})
    scanning(ui)
    assert app.root.ids.screen_title.text == translate("Rate the service", "vi")
    ui.driver.tap("identify:skip")
    assert app.current == "coming_soon" and app.identity is None
    assert app.history == [("home", {})]  # back skips the identify screen

    app.home()
    app.go("identify", then="coming_soon")
    assert ui.driver.find("identify:skip").disabled  # not offered unless the flow allows it
    scanning(ui)
    show_card(ui, PAYLOAD)
    ui.driver.tap("identify:confirm")
    assert app.current == "coming_soon" and app.identity.masked_id == MASKED_ID
    ui.driver.tap("nav:back")
    assert app.current == "home"


def target_problems(rig: Rig, state: str) -> list[str]:
    """Touch targets on screen now under 15 mm, or closer than 3 mm to each other."""
    from screens import theme
    from screens.widgets import Pressable

    t = rig.app.theme
    found, rects = [], []
    for w in rig.driver.widgets():
        if not isinstance(w, Pressable) or w.disabled or w.opacity == 0:
            continue
        if min(w.size) < t.mm(theme.MIN_TARGET_MM) - 0.5:
            found.append(f"{state}: {w.tag} is {w.width:.0f}x{w.height:.0f} px")
        x, y = w.to_window(w.x, w.y)
        rects.append((w.tag, (x, y, x + w.width, y + w.height)))
    for i, (tag_a, a) in enumerate(rects):
        for tag_b, b in rects[i + 1:]:
            gap = max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3])
            if gap < t.mm(theme.MIN_GAP_MM) - 0.5:
                found.append(f"{state}: {tag_a} and {tag_b} are {gap:.0f} px apart")
    return found


def test_every_state_of_the_screen_keeps_targets_large_and_apart(ui):
    found = []
    ui.screen.scan_timeout_s = 0.4
    open_identify(ui, wait=False)  # the scan may be over before anyone looks
    assert ui.driver.wait_until(lambda: ui.screen.state == "timeout", WAIT_S)
    ui.driver.frames(2)
    found += target_problems(ui, "timeout")
    ui.screen.scan_timeout_s = 30.0
    ui.driver.tap("identify:again")
    scanning(ui)
    found += target_problems(ui, "scanning")
    show_card(ui, MISMATCH_PAYLOAD, state="staff")
    found += target_problems(ui, "staff")
    ui.driver.tap("identify:again")
    scanning(ui)
    show_card(ui, PAYLOAD)
    found += target_problems(ui, "confirm")
    assert found == []


# --- the end of the visit -------------------------------------------------------------------------


def test_the_end_of_the_visit_wipes_the_identity_and_the_visit_folder(ui):
    identify(ui)
    visit = ui.app.visit
    visit.files.write("page-01.png", b"a page the citizen scanned")
    folder = visit.files.folder
    assert folder.exists() and visit.identity is not None

    ui.app.end_visit("done")

    assert visit.ended == "done" and visit.identity is None and visit.files is None and visit.form == {}
    assert not folder.exists()
    assert ui.app.visit is None and ui.app.identity is None and ui.app.current == "attract"
    assert NAME not in texts_on_screen(ui)


def test_the_idle_warning_counts_down_and_continue_keeps_the_visit(ui, tmp_path):
    identify(ui)
    visit = ui.app.visit
    timeout_s = ui.kiosk.config.kiosk.idle_timeout_s
    warning_s = ui.kiosk.config.kiosk.idle_warning_s

    let_time_pass(ui, timeout_s - 1)
    assert not ui.app.idle_overlay.shown
    let_time_pass(ui, 1)

    overlay = ui.app.idle_overlay
    assert overlay.shown and overlay.seconds == warning_s >= 20
    assert overlay.ids.countdown.text == str(int(warning_s))
    assert overlay.ids.heading.text == translate(MSG_STILL_THERE, "vi")
    assert ui.speaker.said("vi")[-1].startswith(translate(MSG_STILL_THERE, "vi"))
    assert str(int(warning_s)) in ui.speaker.said("vi")[-1]
    shot = Image.open(ui.driver.screenshot(tmp_path / "idle.png")).convert("RGB")
    assert ocr(crop(shot, overlay.ids.heading)) == translate(MSG_STILL_THERE, "vi")

    let_time_pass(ui, 10)
    assert overlay.ids.countdown.text == str(int(warning_s) - 10)
    assert overlay.ids.explanation.text == translate(MSG_COUNTDOWN, "vi", seconds=int(warning_s) - 10)

    ui.driver.tap("idle:continue")
    ui.driver.wait_until(lambda: overlay.parent is None, WAIT_S)
    assert not overlay.shown and overlay.parent is None
    assert ui.app.visit is visit and ui.app.identity.full_name == NAME and ui.app.current == "home"
    let_time_pass(ui, warning_s)  # the countdown started again from the touch: no end yet
    assert ui.app.visit is visit


def test_without_a_touch_the_visit_ends_when_the_countdown_runs_out_and_everything_is_wiped(ui):
    identify(ui)
    ui.driver.tap("nav:language")
    visit = ui.app.visit
    folder = visit.files.folder
    ui.speaker.set_volume(0.3)

    let_time_pass(ui, ui.kiosk.config.kiosk.idle_timeout_s)
    assert ui.app.idle_overlay.shown
    let_time_pass(ui, ui.kiosk.config.kiosk.idle_warning_s)

    assert ui.app.current == "attract" and not ui.app.idle_overlay.shown
    assert visit.ended == "timeout" and visit.identity is None and not folder.exists()
    assert ui.app.visit is None and ui.app.language == "vi"
    assert ui.speaker.volume == ui.speaker.default_volume
    assert not any(NAME in u.text for u in ui.speaker.utterances)


# --- call staff -----------------------------------------------------------------------------------


def test_call_staff_reaches_the_central_service_and_says_so(ui):
    open_identify(ui)
    before = len(ui.central.alerts())
    ui.driver.tap("nav:staff")
    assert ui.driver.wait_until(lambda: ui.app.notice not in ("", "Calling staff…"), WAIT_S)
    assert ui.app.notice == "Staff have been called. Someone will come to help you."
    assert ui.app.root.ids.notice_text.text == translate(ui.app.notice, "vi")
    alerts = ui.central.alerts()
    assert len(alerts) == before + 1
    assert alerts[0]["kind"] == "call_staff" and alerts[0]["screen"] == "identify"


def test_call_staff_says_staff_could_not_be_reached_while_the_service_is_stopped(ui):
    ui.driver.tap("start")
    ui.central.stop()
    ui.driver.tap("nav:staff")
    assert ui.driver.wait_until(lambda: ui.app.notice not in ("", "Calling staff…"), WAIT_S)
    assert ui.app.notice == "Staff could not be reached. Please go to the reception desk."
    assert ui.app.notice_kind == "error"
    assert ui.kiosk.outbox.counts().waiting.get("alert", 0) >= 1  # sent once the link is back
