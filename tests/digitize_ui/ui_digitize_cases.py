"""The capture and review screens with real touches in a real offscreen window.

These run in a process of their own (``test_digitize_ui.py`` starts it): Kivy opens one window per
process. Everything is real but the hardware: the simulated camera replays pages drawn by
``digitize_pages``, Tesseract reads them, the PDF is checked with ``pdftotext``, the visit's files
are the real sealed ones. Run them alone with ``pytest tests/digitize_ui/ui_digitize_cases.py``.
"""

from __future__ import annotations

import subprocess
import numpy as np
import pytest
from PIL import Image

from devices.camera.sim import SimulatedCamera
from digitize_pages import KEY_WORDS, write_pages
from kiosk import config as kiosk_config
from kiosk.digitize.document import PageState
from kiosk.digitize.quality import DARK, RETAKE_MESSAGES
from kiosk.i18n import translate

pytestmark = pytest.mark.ui

#: The longest wait for work on other threads (camera, OCR); generous for a busy machine.
WAIT_S = 60.0


@pytest.fixture(scope="session")
def rig(tmp_path_factory):
    base = tmp_path_factory.mktemp("digitize-ui")
    pages = write_pages(base / "camera", ["first"])
    config = kiosk_config.from_dict(
        {
            "kiosk": {"data_dir": str(base / "kiosk"), "language": "en"},
            "central": {"embedded": False},
            "devices": {"printer": "sim://", "qr_reader": "sim://", "camera": f"sim://{pages}?loop=1",
                        "speaker": "sim://", "locker": "sim://"},
        },
        "<digitize ui tests>",
    )
    from screens import window

    window.configure(config.kiosk, headless=True, quiet=True)

    from kiosk.wiring import Kiosk, open_devices, open_visits
    from screens.app import KioskApp
    from screens.driver import ScreenDriver

    devices = open_devices(config)
    kiosk = Kiosk(config=config, devices=devices, visits=open_visits(config, devices))
    driver = ScreenDriver(KioskApp(kiosk)).start()
    driver.base = base
    yield driver
    driver.stop()
    kiosk.close()


@pytest.fixture
def driver(rig):
    """A fresh visit on the home screen, with the camera replaying the pages a test asks for."""
    app = rig.app
    app.end_visit()
    app.kiosk.devices.camera = SimulatedCamera()
    app.kiosk.devices.speaker.clear()
    app.start_visit("en")
    capture = app.registry.get("digitize")
    capture.auto_capture = False
    rig.frames(1)
    return rig


def camera_with(driver, names: list[str], name: str) -> None:
    folder = write_pages(driver.base / name, names)
    driver.app.kiosk.devices.camera = SimulatedCamera(folder=folder, loop=True)


def wait(driver, condition, what: str) -> None:
    assert driver.wait_until(condition, WAIT_S), f"waited in vain for {what}"
    driver.frames(2)


def open_capture(driver):
    driver.tap("tile:digitize")
    screen = driver.app.registry.get("digitize")
    assert driver.app.current == "digitize"
    wait(driver, lambda: screen.has_frame, "the camera's view")
    return screen


def take(driver, screen, count: int) -> None:
    driver.tap("capture:take")
    wait(driver, lambda: screen.page_count == count and not screen.retaking, f"page {count} to be taken")


def all_read(screen) -> bool:
    return all(p.state in (PageState.DONE, PageState.FAILED) for p in screen.draft.pages)


def pdf_text(driver, pdf: bytes) -> str:
    path = driver.base / "out.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    path.unlink()
    return done.stdout


# --- the cases ------------------------------------------------------------------------------------


def test_capture_retake_reorder_review_and_accept_into_the_visit(driver):
    """GIVEN a camera replaying three pages WHEN the citizen takes two, retakes the first, moves the
    second in front, reviews and accepts THEN the visit holds one PDF whose text layer has both pages
    in the new order, and ending the visit shreds the pages and the PDF."""
    camera_with(driver, ["first", "second", "retaken"], "three")
    app = driver.app
    screen = open_capture(driver)
    assert len(screen.outline) == 8, "the page's outline is drawn over the view"
    driver.screenshot(driver.base / "shots" / "capture-view.png")
    take(driver, screen, 1)
    take(driver, screen, 2)
    first_id = screen.draft.pages[0].id
    driver.tap("page:1:retake")
    assert screen.retaking == first_id
    driver.tap("capture:take")
    wait(driver, lambda: not screen.retaking and screen.draft.pages[0].revision == 1, "the retake")
    assert screen.page_count == 2 and screen.draft.pages[0].id == first_id
    assert app.kiosk.devices.camera.served == ["01-first.png", "02-second.png", "03-retaken.png"]
    driver.tap("page:2:earlier")
    assert [p.id for p in screen.draft.pages][1] == first_id
    wait(driver, lambda: all_read(screen), "both pages to be read")
    screen.refresh_pages()
    driver.frames(2)
    driver.screenshot(driver.base / "shots" / "capture-pages.png")
    visit = app.visit
    sealed = set(visit.files.names())
    assert {f"page-{p.id}.png" for p in screen.draft.pages} <= sealed
    assert len([n for n in sealed if n.startswith("page-")]) == 2, "the deleted/replaced pictures are not kept twice"

    driver.tap("capture:done")
    review = app.registry.get("digitize_review")
    assert app.current == "digitize_review"
    wait(driver, lambda: review.state == "review", "the review")
    assert KEY_WORDS["second"] in review.page_text
    assert review.low_words >= 1 and review.ids.page_image.boxes, "the smudged word is highlighted"
    assert len(review.ids.page_image.canvas.after.children) > 2, "highlights are drawn"
    driver.screenshot(driver.base / "shots" / "review-page-1.png")
    view = review.ids.page_image
    boxes = view.boxes
    view.boxes = []
    driver.frames(2)
    plain = np.asarray(Image.open(driver.screenshot(driver.base / "shots" / "review-plain.png")).convert("RGB"), int)
    view.boxes = boxes
    driver.frames(2)
    marked = np.asarray(Image.open(driver.base / "shots" / "review-page-1.png").convert("RGB"), int)
    changed = np.abs(marked - plain).sum(axis=2) > 30
    assert changed.any(), "the low-confidence word is marked on the page"
    red, green, blue = marked[changed].mean(axis=0)
    assert red > blue + 40 and green > blue, "the mark is yellow"
    driver.tap("review:page:2")
    assert KEY_WORDS["retaken"] in review.page_text
    assert KEY_WORDS["first"] not in review.page_text

    driver.tap("review:accept")
    assert app.current == "home"
    from kiosk.digitize.session import accepted_documents, dossier_documents

    [kept] = accepted_documents(visit)
    assert kept.pages == 2
    [for_dossier] = dossier_documents(visit)
    assert for_dossier["content_type"] == "application/pdf" and for_dossier["filename"] == kept.pdf_file
    text = pdf_text(driver, for_dossier["data"])
    assert KEY_WORDS["second"] in text and KEY_WORDS["retaken"] in text
    assert text.index(KEY_WORDS["second"]) < text.index(KEY_WORDS["retaken"])
    assert KEY_WORDS["first"] not in text
    folder = visit.files.folder
    assert any(folder.iterdir())

    app.end_visit("done")
    assert not folder.exists(), "ending the visit shreds its pages and its PDF"
    assert app.registry.get("digitize").draft is None


def test_a_dark_page_is_asked_again_in_plain_words(driver):
    camera_with(driver, ["dark"], "dark")
    screen = open_capture(driver)
    take(driver, screen, 1)
    message = RETAKE_MESSAGES[DARK]
    wait(driver, lambda: all_read(screen) and screen.problem == message, "the quality check")
    page = screen.draft.pages[0]
    assert DARK in page.flags
    card = next(w for w in driver.widgets() if getattr(w, "page_id", None) == page.id)
    assert card.problem and card.verdict == "Retake"
    assert translate(message, "en") in driver.app.kiosk.devices.speaker.said()
    assert screen.ids.message.text == translate(message, "en")
    driver.screenshot(driver.base / "shots" / "capture-dark.png")
    driver.tap("capture:done")
    review = driver.app.registry.get("digitize_review")
    wait(driver, lambda: review.state == "review", "the review")
    assert review.page_problem == message


def test_review_shows_progress_while_pages_are_read(driver):
    camera_with(driver, ["first", "second"], "two")
    screen = open_capture(driver)
    take(driver, screen, 1)
    take(driver, screen, 2)
    driver.tap("capture:done")
    review = driver.app.registry.get("digitize_review")
    if not screen.draft.ready:
        assert review.state == "reading"
        assert "of 2" in review.ids.progress_text.text
        driver.screenshot(driver.base / "shots" / "review-reading.png")
    wait(driver, lambda: review.state == "review", "the review")
    assert review.done_count == review.total == 2


def test_the_page_is_taken_by_itself_when_it_lies_still(driver):
    camera_with(driver, ["first"], "auto")
    screen = driver.app.registry.get("digitize")
    screen.auto_capture = True
    open_capture(driver)
    wait(driver, lambda: screen.page_count >= 1, "the automatic capture")
    assert driver.app.kiosk.devices.camera.served[0] == "01-first.png"


def test_delete_removes_the_page_and_its_sealed_picture(driver):
    camera_with(driver, ["first", "second"], "delete")
    screen = open_capture(driver)
    take(driver, screen, 1)
    take(driver, screen, 2)
    gone = screen.draft.pages[0].id
    driver.tap("page:1:delete")
    assert screen.page_count == 1 and gone not in [p.id for p in screen.draft.pages]
    assert f"page-{gone}.png" not in driver.app.visit.files.names()


def test_without_a_camera_the_tile_and_the_screen_say_so(driver):
    from screens.capture import MSG_NO_CAMERA
    from screens.home import NO_DOCUMENT_CAMERA

    app = driver.app
    app.kiosk.devices.camera = None
    app.end_visit()
    app.start_visit("en")
    driver.frames(2)
    tile = app.registry.get("home").tiles["digitize"]
    assert tile.hint == translate(NO_DOCUMENT_CAMERA, "en")
    driver.tap("tile:digitize")
    screen = app.registry.get("digitize")
    assert screen.problem == MSG_NO_CAMERA and not screen.available
    assert driver.find("capture:take").disabled
    driver.screenshot(driver.base / "shots" / "capture-no-camera.png")


def test_a_camera_that_stops_working_is_explained_and_the_pages_are_kept(driver):
    from screens.capture import MSG_CAMERA_FAILED

    camera_with(driver, ["first"], "unplugged")
    screen = open_capture(driver)
    take(driver, screen, 1)
    driver.app.kiosk.devices.camera.set_fault("no_device")
    wait(driver, lambda: screen.problem == MSG_CAMERA_FAILED, "the camera fault to show")
    assert screen.page_count == 1 and len(screen.draft.pages) == 1
    driver.app.kiosk.devices.camera.clear_fault()
    wait(driver, lambda: screen.problem != MSG_CAMERA_FAILED, "the camera to come back")
