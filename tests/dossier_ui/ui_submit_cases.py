"""Submitting a dossier with real touches in a real offscreen window: identify, form, documents, review, slip.

These run in a process of their own (``test_dossier_submit_ui.py`` starts it): Kivy opens one window per
process. Everything is real but the hardware: the kiosk is built by ``wiring.build`` against the central
service on loopback; the card comes through the simulated QR reader, the page through the simulated
document camera (read by Tesseract), the slip out of the simulated printer (its picture decoded with
zxing-cpp). Run them alone with ``pytest tests/dossier_ui/ui_submit_cases.py``.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from devices.camera.sim import SimulatedCamera
from kiosk import config as kiosk_config
from kiosk import i18n
from kiosk.dossiers.desk import MSG_OFFLINE_NOTICE
from kiosk.dossiers.forms import MSG_BAD_DATE, MSG_REQUIRED
from kiosk.i18n import translate
from kiosk.references import dossier_code
from submit_rig import ID_NUMBER, KIOSK_NAME, NAME, Central, cccd_payload, small_pdf, write_form_page

pytestmark = pytest.mark.ui

#: The longest wait for work on other threads (reader, camera, OCR, central service, outbox); generous.
WAIT_S = 60.0
PROCEDURE = "CU-XNCT"
ITEM = "to_khai_cu_tru"
#: Telex keys for the purpose of the confirmation, and what they type.
PURPOSE_KEYS = ["x", "i", "n", "space", "v", "i", "e", "e", "c", "j", "space", "l", "a", "f", "m"]
PURPOSE = "Xin việc làm"


def vi(message: str, **values) -> str:
    return translate(message, "vi", **values)


@pytest.fixture(scope="session")
def rig(tmp_path_factory):
    base = tmp_path_factory.mktemp("submit-ui")
    central = Central(base / "central")
    pages = write_form_page(base / "camera")
    config = kiosk_config.from_dict(
        {
            # half the pixels of the real panel at the same size in mm: the same layout, drawn faster
            "kiosk": {"id": KIOSK_NAME, "data_dir": str(base / "kiosk"), "screen_width_px": 540,
                      "screen_height_px": 960},
            "central": {"url": central.url, "token": central.kiosk_token, "embedded": False,
                        "connect_timeout_s": 1.0},
            "devices": {"qr_reader": "sim://", "camera": f"sim://{pages}?loop=1", "printer": "sim://",
                        "speaker": "sim://", "locker": "sim://"},
        },
        "<submit ui tests>",
    )
    from screens import window

    window.configure(config.kiosk, headless=True, quiet=True)

    from kiosk.wiring import build
    from screens.app import KioskApp
    from screens.driver import ScreenDriver

    kiosk = build(config)
    driver = ScreenDriver(KioskApp(kiosk)).start()
    driver.central = central
    driver.base = base
    driver.pages = pages
    yield driver
    driver.stop()
    kiosk.close()
    central.close()


@pytest.fixture
def driver(rig):
    """A fresh visit on the home screen, in Vietnamese, the center up, the camera replaying the form page."""
    rig.central.start()
    devices = rig.app.kiosk.devices
    devices.qr_reader.clear_fault()
    devices.camera = SimulatedCamera(folder=rig.pages, loop=True)
    rig.app.end_visit()
    devices.speaker.clear()
    i18n.missing.clear()
    rig.app.registry.get("digitize").auto_capture = False
    rig.frames(3)
    rig.tap("start")
    assert rig.app.current == "home"
    yield rig
    assert not {(lang, msg) for lang, msg in i18n.missing if lang in ("vi", "en")}, "untranslated text on screen"


# --- helpers --------------------------------------------------------------------------------------


def wait(driver, condition, what: str) -> None:
    assert driver.wait_until(condition, WAIT_S), f"waited in vain for {what}"
    driver.frames(2)


def shot(driver, name: str) -> Image.Image:
    path = driver.screenshot(driver.base / "shots" / f"{name}.png")
    picture = Image.open(path).convert("RGB")
    low, high = picture.convert("L").getextrema()
    assert high - low > 100, f"{name}: the screenshot is blank"
    return picture


def texts_on_screen(driver) -> list[str]:
    from kivy.uix.label import Label

    return [w.text for w in driver.widgets() if isinstance(w, Label) and w.text and w.opacity > 0]


def identify(driver) -> None:
    """The identify screen is up: the card under the reader, then "This is me"."""
    assert driver.app.current == "identify"
    screen = driver.app.screen
    wait(driver, lambda: screen.scan.running, "the card scan to start")
    driver.app.kiosk.devices.qr_reader.push(cccd_payload())
    wait(driver, lambda: screen.state == "confirm", "the card to be read")
    driver.tap("identify:confirm")


def fill_purpose(driver) -> None:
    """Type the purpose with Telex on the on-screen keyboard, skip the optional phone number."""
    form = driver.app.screen
    tap_row(driver, "purpose")
    assert form.editing == "purpose" and form.keyboard.mode == "text" and form.keyboard.telex
    for key in PURPOSE_KEYS:
        driver.tap(f"kb:{key}")
    picture = np.asarray(shot(driver, "form-typing").convert("L"), dtype=int)
    assert form.keyboard.text == PURPOSE
    keyboard = form.keyboard
    x, y = keyboard.to_window(keyboard.x, keyboard.y)
    top = picture.shape[0] - int(y + keyboard.height)
    keys = picture[top:top + int(keyboard.height), int(x):int(x + keyboard.width)]
    assert keys.std() > 20, "the keyboard is drawn"
    driver.tap("kb:done")
    assert form.editing == "phone" and form.keyboard.mode == "phone", "Done moves on to the next empty line"
    driver.tap("kb:num:done")
    assert form.editing == ""


def attach_form_page(driver) -> None:
    """From the checklist: "Scan", take the page, "Done", wait for the reading, "Accept"."""
    driver.tap(f"docs:scan:{ITEM}")
    app = driver.app
    wait(driver, lambda: app.current == "digitize", "the capture screen")
    capture = app.screen
    wait(driver, lambda: capture.has_frame, "the camera's view")
    driver.tap("capture:take")
    wait(driver, lambda: capture.page_count == 1, "the page to be taken")
    driver.tap("capture:done")
    review = app.registry.get("digitize_review")
    wait(driver, lambda: review.state == "review", "the page to be read")
    driver.tap("review:accept")


def submit_flow(driver, *, double_tap: bool = False):
    """From the form (identified) to the slip; returns the slip screen."""
    app = driver.app
    assert app.current == "dossier_form"
    fill_purpose(driver)
    driver.tap("form:next")
    assert app.current == "dossier_documents"
    attach_form_page(driver)
    assert app.current == "dossier_documents"
    driver.tap("docs:next")
    assert app.current == "dossier_review"
    if double_tap:
        button = driver.find("dossier_review:submit")
        x, y = button.to_window(*button.center)
        driver.tap_at(x, y)
        driver.tap_at(x, y)
    else:
        driver.tap("dossier_review:submit")
    wait(driver, lambda: app.current == "dossier_slip", "the slip")
    return app.screen


def tap_row(driver, field_id: str) -> None:
    """Scroll the form's line into sight, as a citizen would, and touch it."""
    form = driver.app.screen
    form.reveal(form.rows[field_id])
    driver.frames(2)
    driver.tap(f"form:field:{field_id}")
    # a touch inside a scrolling list reaches the line once the list knows it is not a swipe
    wait(driver, lambda: form.editing == field_id, f"the editor of {field_id}")


def ready_to_send(driver) -> None:
    """A dossier on the review screen without typing or scanning: the card, the typed line, a kept PDF."""
    from dataclasses import asdict

    from kiosk.digitize.session import DOCUMENTS_FIELD, FinishedDocument
    from kiosk.identity import VisitIdentity
    from screens.dossier_form import dossier_draft

    app = driver.app
    visit = app.visit
    visit.identity = VisitIdentity.from_payload(cccd_payload())
    dossier_draft(app, PROCEDURE)["values"]["purpose"] = "Vay vốn"
    pdf = small_pdf()
    visit.files.write("document-01.pdf", pdf)
    visit.files.write("document-01.txt", b"")
    visit.form[DOCUMENTS_FIELD] = [asdict(FinishedDocument(
        number=1, pdf_file="document-01.pdf", text_file="document-01.txt", pages=1, size=len(pdf),
        sha256="0" * 64, checklist_item=ITEM))]
    app.go("dossier_review", procedure=PROCEDURE)
    driver.frames(3)
    assert "Vay vốn" in texts_on_screen(driver)


def decode_qr(picture: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(picture.convert("L"))]


# --- the cases ------------------------------------------------------------------------------------


def test_a_citizen_submits_a_dossier_and_gets_the_printed_slip(driver):
    """GIVEN the procedure page WHEN the citizen identifies, types the missing line with Telex, scans the
    form, reviews and submits (touching "Submit" twice) THEN the center holds exactly one dossier with the
    typed value and the document, the slip shows its code and the printed slip's QR code names it."""
    app = driver.app
    printer = app.kiosk.devices.printer
    jobs_before = len(list(printer.folder.glob("job-*.bin")))
    app.go("procedure", code=PROCEDURE)
    driver.frames(3)
    driver.tap("procedure:submit")
    identify(driver)
    assert app.current == "dossier_form"
    form = app.screen
    shown = texts_on_screen(driver)
    assert NAME in shown and "0011•••••567" in shown, "the card's name and masked number are shown"
    assert ID_NUMBER not in " ".join(shown)
    assert {"purpose", "phone"} == set(form.rows), "only what the card does not say is asked"

    driver.tap("form:next")
    assert app.current == "dossier_form", "an empty required line keeps the citizen on the form"
    assert form.rows["purpose"].problem == vi(MSG_REQUIRED)
    form.close_editor()
    driver.frames(2)
    shot(driver, "form-problem")
    submit_flow(driver, double_tap=True)
    slip = app.screen
    receipt = slip.receipt
    assert receipt.code and slip.code == receipt.code and slip.offline == ""
    assert slip.qr == dossier_code(receipt.code)
    [held] = [d for d in driver.central.dossiers() if d["kiosk_reference"] == receipt.kiosk_reference]
    assert held["code"] == receipt.code and held["form"]["purpose"] == PURPOSE and held["owner_id"] == ID_NUMBER
    assert held["documents"] == [ITEM]
    assert len(driver.central.dossiers()) == 1, "two touches on Submit send one dossier"

    assert printer.wait_printed(WAIT_S)
    jobs = sorted(printer.folder.glob("job-*.png"))
    assert len(jobs) == jobs_before + 1, "one slip printed"
    assert decode_qr(Image.open(jobs[-1])) == [dossier_code(receipt.code)]
    wait(driver, lambda: slip.print_state == "printed", "the printed state")
    assert slip.print_message and slip.ids.code.text == receipt.code
    picture = shot(driver, "slip")
    assert dossier_code(receipt.code) in decode_qr(picture), "the QR code on screen names the dossier"

    driver.tap("slip:copy")
    wait(driver, lambda: not slip.busy, "the copy")
    assert printer.wait_printed(WAIT_S)
    assert len(sorted(printer.folder.glob("job-*.png"))) == jobs_before + 2 and receipt.copies == 1

    driver.tap("slip:finish")
    assert app.current in ("rating", "attract")
    if app.current == "rating":
        assert app.screen.service == receipt.procedure.service


def test_an_offline_submission_shows_the_kiosk_reference_and_is_delivered_once_later(driver):
    """GIVEN the center is down WHEN a dossier is submitted THEN the slip shows the kiosk reference and the
    offline notice, and once the center is back the outbox delivers exactly one dossier."""
    app = driver.app
    central = driver.central
    before = len(central.dossiers())
    central.stop()
    app.go("dossier_form", procedure=PROCEDURE)
    driver.frames(3)
    identify(driver)
    slip = submit_flow(driver)
    receipt = slip.receipt
    assert receipt.code is None and slip.code == receipt.kiosk_reference
    assert slip.offline == MSG_OFFLINE_NOTICE
    assert vi(MSG_OFFLINE_NOTICE) in texts_on_screen(driver)
    picture = shot(driver, "slip-offline")
    assert dossier_code(receipt.kiosk_reference) in decode_qr(picture)

    central.start()
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline and len(central.dossiers()) == before:
        app.kiosk.worker.wake()
        time.sleep(0.3)
    time.sleep(1.0)
    app.kiosk.worker.wake()
    delivered = [d for d in central.dossiers() if d["kiosk_reference"] == receipt.kiosk_reference]
    assert len(delivered) == 1 and len(central.dossiers()) == before + 1, "delivered exactly once"
    assert delivered[0]["form"]["purpose"] == PURPOSE and delivered[0]["documents"] == [ITEM]


def test_dates_choices_and_accent_buttons_on_the_form(driver):
    """GIVEN the birth registration form WHEN a wrong date is typed on the digit pad THEN the line says so;
    a choice is taken with its large button, and the accent buttons type Vietnamese with Telex off."""
    app = driver.app
    app.go("dossier_form", procedure="HT-KS")
    driver.frames(3)
    identify(driver)
    form = app.screen
    assert app.current == "dossier_form" and "child_birth" in form.rows

    tap_row(driver, "child_birth")
    assert form.keyboard.mode == "date"
    for digit in "31022020":
        driver.tap(f"kb:num:{digit}")
    assert form.keyboard.text == "31/02/2020"
    assert form.editing_problem == MSG_BAD_DATE
    for _ in range(6):
        driver.tap("kb:num:delete")
    for digit in "012021":
        driver.tap(f"kb:num:{digit}")
    assert form.keyboard.text == "31/01/2021" and form.editing_problem == ""
    driver.tap("kb:num:done")

    assert form.editing == "child_sex"
    driver.tap("form:choice:female")
    assert form.rows["child_sex"].value == "Nữ"
    assert form.draft["values"]["child_sex"] == "female"

    tap_row(driver, "child_name")
    driver.tap("kb:telex")
    assert not form.keyboard.telex
    for key in ("l", "e", "space", "n", "g", "o", "c"):
        driver.tap(f"kb:{key}")
    driver.tap("kb:tone:nang")
    assert form.keyboard.text == "Le Ngọc"
    for _ in range(5):
        driver.tap("kb:delete")
    assert form.keyboard.text == "Le"
    driver.tap("kb:tone:nga")
    driver.tap("kb:mark:ee")
    assert form.keyboard.text == "Lễ"
    driver.tap("kb:mark:dd")
    assert form.keyboard.text == "Lễđ", "no d to mark: the letter itself"
    driver.tap("kb:done")
    assert form.draft["values"]["child_name"] == "Lễđ"


def test_remove_takes_an_items_documents_out_and_the_others_keep_their_numbers(driver):
    """GIVEN three documents kept in the visit for two checklist items WHEN the citizen removes the first
    item's THEN its files are shredded, the other keeps its PDF under number 1, and "Next" names what is missing."""
    from dataclasses import asdict

    from kiosk.digitize.session import DOCUMENTS_FIELD, FinishedDocument, accepted_documents

    app = driver.app
    visit = app.visit
    entries = []
    for number, item in enumerate(["giay_chung_sinh", "giay_chung_sinh", "to_khai_khai_sinh"], 1):
        pdf, text = f"document-{number:02d}.pdf", f"document-{number:02d}.txt"
        visit.files.write(pdf, f"%PDF invented {number}".encode())
        visit.files.write(text, f"text {number}".encode())
        entries.append(asdict(FinishedDocument(number=number, pdf_file=pdf, text_file=text, pages=number, size=20,
                                               sha256="0" * 64, checklist_item=item)))
    visit.form[DOCUMENTS_FIELD] = entries
    app.go("dossier_documents", procedure="HT-KS")
    driver.frames(3)
    screen = app.screen
    rows = {row.item_id: row for row in screen.ids.checklist.children}
    assert rows["giay_chung_sinh"].pages == 3 and rows["to_khai_khai_sinh"].pages == 3
    assert not rows["giay_chung_nhan_ket_hon"].pages

    driver.tap("docs:remove:giay_chung_sinh")
    wait(driver, lambda: len(accepted_documents(visit)) == 1, "the documents to be removed")
    [kept] = accepted_documents(visit)
    assert kept.checklist_item == "to_khai_khai_sinh" and kept.number == 1 and kept.pdf_file == "document-01.pdf"
    assert visit.files.read("document-01.pdf") == b"%PDF invented 3"
    assert "document-03.pdf" not in visit.files.names() and "document-02.pdf" not in visit.files.names()

    driver.tap("docs:next")
    assert app.current == "dossier_documents"
    assert app.screen.message_values["names"] == "Giấy chứng sinh hoặc văn bản của người làm chứng"
    shot(driver, "documents-missing")


def test_a_slip_torn_by_the_printer_says_so_alerts_staff_and_try_again_prints_it(driver):
    """GIVEN a dossier ready to send (card, typed line, a kept PDF) and a printer whose link drops mid-slip
    WHEN the citizen submits THEN the slip stays on screen with the printer's problem and "Try again",
    staff are alerted, and once the printer is back "Try again" prints it."""
    from kiosk.dossiers.desk import MSG_TORN

    app = driver.app
    printer = app.kiosk.devices.printer
    ready_to_send(driver)
    printer.unplug_after(200)
    try:
        driver.tap("dossier_review:submit")
        wait(driver, lambda: app.current == "dossier_slip", "the slip")
        slip = app.screen
        assert slip.print_state == "failed" and slip.print_message == MSG_TORN
        assert slip.code == slip.receipt.code, "the dossier is received and its code is on screen"
        again = driver.find("slip:try_again")
        assert not again.disabled and again.opacity == 1
        shot(driver, "slip-print-failed")
        wait(driver, lambda: any(a["kind"] == "print_failed" and a["screen"] == "dossier_slip"
                                 for a in driver.central.alerts()), "the staff alert")
    finally:
        printer.plug_in()
    monitor = app.kiosk.desk.monitor
    monitor.check()
    driver.tap("slip:try_again")
    wait(driver, lambda: slip.print_state == "printed" and not slip.busy, "the slip to be printed")
    assert printer.wait_printed(WAIT_S)
    assert decode_qr(Image.open(sorted(printer.folder.glob("job-*.png"))[-1])) == [dossier_code(slip.receipt.code)]


def test_without_a_printer_the_slip_stays_on_screen_for_a_photo(driver):
    """GIVEN a kiosk whose printer is not there WHEN a dossier is submitted THEN the slip is shown on
    screen with its readable QR code and the advice to take a photo, and no copy is offered."""
    from kiosk.dossiers.desk import MSG_SHOWN

    app = driver.app
    desk = app.kiosk.dossiers
    printer = desk.printer
    ready_to_send(driver)
    desk.printer = None
    try:
        driver.tap("dossier_review:submit")
        wait(driver, lambda: app.current == "dossier_slip", "the slip")
    finally:
        desk.printer = printer
    slip = app.screen
    assert slip.print_state == "shown" and slip.print_message == MSG_SHOWN
    assert vi(MSG_SHOWN) in texts_on_screen(driver)
    assert driver.find("slip:copy").disabled and driver.find("slip:try_again").disabled
    assert dossier_code(slip.receipt.code) in decode_qr(shot(driver, "slip-no-printer"))


def test_what_stops_a_dossier_opens_where_it_is_fixed_and_back_returns_to_the_review(driver):
    """GIVEN the review screen reached with the typed line and then the document taken away WHEN the
    citizen touches "Submit" THEN they are told what is missing and one touch opens the screen that fixes
    it; "Back" returns to the review, which sends once all is there."""
    from screens.dossier_form import dossier_draft
    from screens.dossier_review import MSG_DOCUMENTS_NOT_READY, MSG_FIX_DOCUMENTS, MSG_FIX_FORM, MSG_FORM_NOT_READY

    app = driver.app
    ready_to_send(driver)
    review = app.screen
    assert review.fix == "" and driver.find("dossier_review:fix").opacity == 0
    documents = app.visit.form.pop("documents")
    driver.tap("dossier_review:submit")
    assert review.message == MSG_DOCUMENTS_NOT_READY and review.fix == "documents"
    assert vi(MSG_FIX_DOCUMENTS) in texts_on_screen(driver)
    shot(driver, "review-fix-documents")
    driver.tap("dossier_review:fix")
    assert app.current == "dossier_documents"
    app.visit.form["documents"] = documents  # as "Scan" would have attached it
    driver.tap("nav:back")
    assert app.current == "dossier_review" and review.fix == "" and review.message == ""

    purpose = dossier_draft(app, PROCEDURE)["values"].pop("purpose")
    driver.tap("dossier_review:submit")
    assert review.message == MSG_FORM_NOT_READY and review.fix == "form"
    assert vi(MSG_FIX_FORM) in texts_on_screen(driver)
    driver.tap("dossier_review:fix")
    assert app.current == "dossier_form" and app.screen.procedure.code == PROCEDURE
    dossier_draft(app, PROCEDURE)["values"]["purpose"] = purpose
    driver.tap("nav:back")
    assert app.current == "dossier_review"
    driver.tap("dossier_review:submit")
    wait(driver, lambda: app.current == "dossier_slip", "the slip")
