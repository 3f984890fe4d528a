"""The dossier part of the headless demo's scripted visit (``screens.demo_script``).

A citizen finds "Xác nhận thông tin về cư trú" under its field, identifies with the card, types the one
line the card does not say with Telex on the on-screen keyboard, scans the declaration with the
document camera, reviews and submits; the appointment slip prints and the visit ends with a rating.
Staff then put the result in the kiosk's locker (through the central service's staff API, as the
counter page does), and the citizen comes back: holds the slip under the reader, scans the card to see
the details, picks the result up from the compartment that opens, and rates again.
"""

from __future__ import annotations

import uuid

import requests

from kiosk.references import dossier_code
from screens.demo_script import READ_WAIT_S, Step, tap
from screens.driver import DriverError, ScreenDriver

PROCEDURE, FIELD, ITEM = "CU-XNCT", "residence", "to_khai_cu_tru"
#: "Xin việc làm" typed with Telex.
PURPOSE_KEYS = ["x", "i", "n", "space", "v", "i", "e", "e", "c", "j", "space", "l", "a", "f", "m"]
#: Reading a page and sending a dossier take a few seconds each on a busy two-core kiosk.
WORK_WAIT_S = 60.0


class StaffDesk:
    """What counter staff do to a dossier, through the central service's staff API."""

    def __init__(self, url: str, token: str, kiosk_name: str):
        self.url, self.token, self.kiosk_name = url.rstrip("/"), token, kiosk_name

    def move(self, code: str, status: str, locker: dict | None = None) -> None:
        body = {"status": status, "message": ""} | ({"locker": locker} if locker else {})
        answer = requests.post(f"{self.url}/api/v1/staff/dossiers/{code}/status", json=body, timeout=10,
                               headers={"Authorization": f"Bearer {self.token}", "Idempotency-Key": str(uuid.uuid4())})
        if answer.status_code != 200:
            raise DriverError(f"staff could not move dossier {code} to {status}: {answer.status_code} {answer.text[:200]}")

    def ready_in_locker(self, code: str, compartment: str) -> None:
        self.move(code, "processing")
        self.move(code, "ready_for_pickup", {"kiosk": self.kiosk_name, "compartment": compartment})


def _wait(driver: ScreenDriver, condition, what: str, timeout: float = READ_WAIT_S) -> None:
    if not driver.wait_until(condition, timeout):
        raise DriverError(f"{what} did not happen within {timeout:g} s")
    driver.frames(2)


def _card(driver: ScreenDriver, payload: str) -> None:
    """On the identify screen: the card under the reader, then "This is me"."""
    screen = driver.app.screen
    _wait(driver, lambda: screen.scan.running, "the card scan to start")
    driver.app.kiosk.devices.qr_reader.push(payload)
    _wait(driver, lambda: screen.state == "confirm", "the card to be read")
    driver.tap("identify:confirm")


def open_procedure(driver: ScreenDriver) -> None:
    driver.tap(f"procedure:{PROCEDURE}")
    _wait(driver, lambda: driver.app.current == "procedure", "the procedure's page")


def identify_to_submit(payload: str):
    def action(driver: ScreenDriver) -> None:
        driver.tap("procedure:submit")
        if driver.app.current == "identify":
            _card(driver, payload)
        _wait(driver, lambda: driver.app.current == "dossier_form", "the dossier form")

    return action


def type_purpose(driver: ScreenDriver) -> None:
    form = driver.app.screen
    form.reveal(form.rows["purpose"])
    driver.frames(2)
    driver.tap("form:field:purpose")
    _wait(driver, lambda: form.editing == "purpose", "the keyboard for the purpose")
    for key in PURPOSE_KEYS:
        driver.tap(f"kb:{key}")
    driver.frames(2)


def purpose_typed(driver: ScreenDriver) -> str | None:
    text = driver.app.screen.keyboard.text
    return None if text == "Xin việc làm" else f"the keyboard typed {text!r}, not 'Xin việc làm'"


def form_done(driver: ScreenDriver) -> None:
    driver.tap("kb:done")
    form = driver.app.screen
    if form.editing == "phone":  # the optional phone number: left empty
        driver.tap("kb:num:done")
    driver.tap("form:next")


def scan_item(driver: ScreenDriver) -> None:
    app = driver.app
    driver.tap(f"docs:scan:{ITEM}")
    _wait(driver, lambda: app.current == "digitize", "the capture screen")
    capture = app.screen
    capture.auto_capture = False
    _wait(driver, lambda: capture.has_frame, "the camera's view")
    driver.tap("capture:take")
    _wait(driver, lambda: capture.page_count == 1, "the page to be taken")
    driver.tap("capture:done")
    review = app.registry.get("digitize_review")
    _wait(driver, lambda: review.state == "review", "the page to be read", WORK_WAIT_S)
    driver.tap("review:accept")


def item_attached(driver: ScreenDriver) -> str | None:
    documents = driver.app.visit.form.get("documents", []) if driver.app.visit else []
    return None if any(d.get("checklist_item") == ITEM for d in documents) else f"no document attached to {ITEM}"


def submit(kept: dict):
    def action(driver: ScreenDriver) -> None:
        driver.tap("dossier_review:submit")
        _wait(driver, lambda: driver.app.current == "dossier_slip", "the appointment slip", WORK_WAIT_S)
        slip = driver.app.screen
        _wait(driver, lambda: slip.print_state == "printed", "the slip to print", WORK_WAIT_S)
        kept["receipt"] = slip.receipt

    return action


def slip_has_code(kept: dict):
    def check(driver: ScreenDriver) -> str | None:
        receipt = kept.get("receipt")
        if receipt is None or not receipt.code:
            return "the slip shows no dossier code from the center"
        return None

    return check


def rate(face: int):
    def action(driver: ScreenDriver) -> None:
        driver.tap(f"rating:face:{face}")
        driver.tap("rating:send")
        _wait(driver, lambda: driver.app.current == "attract", "the thanks and the end of the visit", 15)

    return action


def staff_put_result_in_locker(staff: StaffDesk, kept: dict):
    def action(driver: ScreenDriver) -> None:
        locker = driver.app.kiosk.devices.locker
        compartment = locker.compartments()[0]
        staff.ready_in_locker(kept["receipt"].code, compartment)
        locker.load(compartment)
        kept["compartment"] = compartment

    return action


def hold_slip(kept: dict):
    def action(driver: ScreenDriver) -> None:
        driver.tap("start")
        driver.tap("tile:lookup")
        screen = driver.app.screen
        _wait(driver, lambda: screen.scan.running, "the slip scan to start")
        driver.app.kiosk.devices.qr_reader.push(dossier_code(kept["receipt"].code))
        _wait(driver, lambda: driver.app.current == "dossier_status" and driver.app.screen.status_text,
              "the dossier's status")

    return action


def see_details(payload: str):
    def action(driver: ScreenDriver) -> None:
        driver.tap("status:details")
        if driver.app.current == "identify":
            _card(driver, payload)
        screen = driver.app.registry.get("dossier_details")
        _wait(driver, lambda: driver.app.current == "dossier_details" and screen.state == "shown" and not screen.busy,
              "the dossier's details")

    return action


def open_compartment(kept: dict):
    def action(driver: ScreenDriver) -> None:
        driver.tap("details:pickup")
        screen = driver.app.screen
        _wait(driver, lambda: screen.step == "open", "the compartment to open", WORK_WAIT_S)

    return action


def take_and_close(kept: dict):
    def action(driver: ScreenDriver) -> None:
        locker, compartment = driver.app.kiosk.devices.locker, kept["compartment"]
        locker.take(compartment)
        locker.close(compartment)
        screen = driver.app.screen
        _wait(driver, lambda: screen.state == "done", "the handover to be recorded", WORK_WAIT_S)

    return action


def dossier_steps(payload: str, staff: StaffDesk | None) -> list[Step]:
    kept: dict = {}
    steps = [
        Step("dossier-procedures", tap("tile:procedures"), "procedures"),
        Step("dossier-field", tap(f"field:{FIELD}"), "procedures"),
        Step("dossier-procedure", open_procedure, "procedure"),
        Step("dossier-form", identify_to_submit(payload), "dossier_form"),
        Step("dossier-form-typing", type_purpose, "dossier_form", purpose_typed),
        Step("dossier-documents", form_done, "dossier_documents"),
        Step("dossier-documents-scanned", scan_item, "dossier_documents", item_attached),
        Step("dossier-review", tap("docs:next"), "dossier_review"),
        Step("dossier-slip", submit(kept), "dossier_slip", slip_has_code(kept)),
        Step("dossier-rating", tap("slip:finish"), "rating"),
        Step("dossier-rated", rate(4), "attract", screenshot=False),
    ]
    if staff is None:
        return steps
    return steps + [
        Step("staff-result-in-locker", staff_put_result_in_locker(staff, kept), "attract", screenshot=False),
        Step("lookup-status", hold_slip(kept), "dossier_status"),
        Step("lookup-details", see_details(payload), "dossier_details"),
        Step("pickup-open", open_compartment(kept), "dossier_pickup"),
        Step("pickup-done", take_and_close(kept), "dossier_pickup"),
        Step("pickup-rating", tap("pickup:finish"), "rating"),
        Step("pickup-rated", rate(3), "attract", screenshot=False),
    ]
