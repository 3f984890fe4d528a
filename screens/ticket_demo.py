"""The ticket part of the headless demo's scripted visit (``screens.demo_script``).

A citizen takes a number the way the screens offer it: the service tiles, the procedure search, a
priority asked for, the number printed and a copy; then the printer runs out of paper in the middle of
the next visit and the same number prints once it has paper again; last, a ticket held under the reader
shows its place in the queue. The simulated printer keeps every slip, which the demo copies out.
"""

from __future__ import annotations

from collections.abc import Callable

from screens.demo_script import Step, tap
from screens.driver import DriverError, ScreenDriver


def _wait(driver: ScreenDriver, condition, what: str, timeout: float = 15.0) -> None:
    if not driver.wait_until(condition, timeout):
        raise DriverError(f"{what} did not happen within {timeout:g} s")
    driver.frames(2)


def open_services(driver: ScreenDriver) -> None:
    driver.tap("tile:ticket")
    _wait(driver, lambda: driver.app.current == "ticket" and driver.app.screen.tiles, "the service tiles loading")


def type_letters(letters: str) -> Callable[[ScreenDriver], None]:
    def action(driver: ScreenDriver) -> None:
        for letter in letters:
            driver.tap("key:space" if letter == " " else f"key:{letter}")
        screen = driver.app.screen
        _wait(driver, lambda: screen.ids.results.children, "the search results")

    return action


def confirm(driver: ScreenDriver) -> None:
    driver.tap("ticket:confirm")
    _wait(driver, lambda: driver.app.current == "ticket_result", "taking the number", timeout=30)


def copy(driver: ScreenDriver) -> None:
    issued = driver.app.screen.issued
    driver.tap("ticket:copy")
    _wait(driver, lambda: issued.copies == 1 or issued.message, "printing a copy")


def paper_out_then_confirm(driver: ScreenDriver) -> None:
    driver.app.kiosk.devices.printer.set_paper("out")
    confirm(driver)


def paper_back_then_retry(driver: ScreenDriver) -> None:
    driver.app.kiosk.devices.printer.set_paper("ok")
    driver.app.kiosk.desk.monitor.check()
    issued = driver.app.screen.issued
    driver.tap("ticket:retry")
    _wait(driver, lambda: issued.state != "failed", "printing again")


def hold_first_ticket(first: dict) -> Callable[[ScreenDriver], None]:
    def action(driver: ScreenDriver) -> None:
        reader = driver.app.kiosk.devices.qr_reader
        if not hasattr(reader, "push") or "qr" not in first:
            raise DriverError('showing a ticket needs the simulated QR reader (devices.qr_reader = "sim://")')
        reader.push(first["qr"])
        _wait(driver, lambda: driver.app.current == "ticket_status" and driver.app.screen.number, "the ticket lookup")

    return action


def state_is(state: str, keep: dict | None = None) -> Callable[[ScreenDriver], str | None]:
    def check(driver: ScreenDriver) -> str | None:
        issued = driver.app.screen.issued
        if issued is None or issued.state != state:
            return f"the number is {issued.state if issued else 'missing'}, expected {state}"
        if keep is not None:
            keep["qr"] = issued.slip.qr
        return None

    return check


def ticket_steps() -> list[Step]:
    first: dict = {}
    return [
        Step("ticket-services", open_services, "ticket"),
        Step("ticket-search", tap("ticket:search"), "ticket_search", screenshot=False),
        Step("ticket-search-results", type_letters("KHAI SINH"), "ticket_search"),
        Step("ticket-confirm", tap("procedure:HT-KS"), "ticket_confirm"),
        Step("ticket-priority", tap("ticket:disability"), "ticket_confirm",
             lambda d: None if d.app.screen.priority == "disability" else "priority was not asked for"),
        Step("ticket-number", confirm, "ticket_result", state_is("printed", first)),
        Step("ticket-copy", copy, "ticket_result", screenshot=False),
        Step("ticket-home", tap("nav:home"), "home", screenshot=False),
        Step("ticket-services-again", open_services, "ticket", screenshot=False),
        Step("ticket-confirm-again", tap("service:B"), "ticket_confirm", screenshot=False),
        Step("ticket-paper-out", paper_out_then_confirm, "ticket_result", state_is("failed")),
        Step("ticket-printed-after-all", paper_back_then_retry, "ticket_result", state_is("printed")),
        Step("ticket-home-again", tap("nav:home"), "home", screenshot=False),
        Step("ticket-scan-services", open_services, "ticket", screenshot=False),
        Step("ticket-scan-confirm", tap("service:C"), "ticket_confirm", screenshot=False),
        Step("ticket-status", hold_first_ticket(first), "ticket_status"),
        Step("ticket-done", tap("nav:home"), "home", screenshot=False),
    ]
