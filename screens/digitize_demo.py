"""The digitizing part of the headless demo's scripted visit (``screens.demo_script``).

The citizen opens "digitize documents", takes two pictures with the large button (the configured
camera: ``sim://`` shows its sample page), retakes the first, waits for the pages to be read, checks
the text on the review screen and accepts; the PDF is then in the visit's dossier draft.
"""

from __future__ import annotations

from screens.demo_script import Step, tap
from screens.driver import DriverError, ScreenDriver

#: Reading pages takes a few seconds a page on a busy two-core kiosk.
READ_WAIT_S = 60.0


def _wait(driver: ScreenDriver, condition, what: str, timeout: float = 20.0) -> None:
    if not driver.wait_until(condition, timeout):
        raise DriverError(f"{what} did not happen within {timeout:g} s")
    driver.frames(2)


def open_capture(driver: ScreenDriver) -> None:
    driver.tap("tile:digitize")
    screen = driver.app.registry.get("digitize")
    screen.auto_capture = False
    _wait(driver, lambda: screen.has_frame, "the camera's view")


def take_picture(count: int):
    def action(driver: ScreenDriver) -> None:
        screen = driver.app.registry.get("digitize")
        driver.tap("capture:take")
        _wait(driver, lambda: screen.page_count == count and not screen.retaking, f"taking page {count}")

    return action


def retake_first(driver: ScreenDriver) -> None:
    screen = driver.app.registry.get("digitize")
    driver.tap("page:1:retake")
    # the page strip scrolls: a touch on it counts once the strip knows it was not a swipe
    _wait(driver, lambda: screen.retaking == screen.draft.pages[0].id, "choosing page 1 to retake")
    driver.tap("capture:take")
    _wait(driver, lambda: not screen.retaking and screen.draft.pages[0].revision >= 1, "retaking page 1")


def review_ready(driver: ScreenDriver) -> None:
    driver.tap("capture:done")
    review = driver.app.registry.get("digitize_review")
    _wait(driver, lambda: review.state == "review", "reading the pages", READ_WAIT_S)


def document_kept(driver: ScreenDriver) -> str | None:
    visit = driver.app.visit
    if visit is None or not visit.form.get("documents"):
        return "the accepted document is not in the visit's dossier draft"
    return None


def digitize_steps() -> list[Step]:
    return [
        Step("digitize-view", open_capture, "digitize"),
        Step("digitize-page-1", take_picture(1), "digitize"),
        Step("digitize-page-2", take_picture(2), "digitize"),
        Step("digitize-retake", retake_first, "digitize"),
        Step("digitize-review", review_ready, "digitize_review"),
        Step("digitize-accepted", tap("review:accept"), "home", document_kept),
    ]
