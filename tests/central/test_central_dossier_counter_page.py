"""The counter page marks a dossier ready and names the locker compartment, in a real headless Chromium
(driven by Playwright) against the real central service on loopback."""

from __future__ import annotations

import pytest

from central_dossier_support import OWNER, dossier_body, move

sync_api = pytest.importorskip("playwright.sync_api")

from kiosk.bench import browser as chromium  # noqa: E402

if chromium.missing():
    pytest.skip(chromium.missing(), allow_module_level=True)


@pytest.mark.parametrize("service", ["sqlite"], indirect=True)  # the page is the same on both databases
def test_staff_type_the_compartment_when_marking_a_dossier_ready(site, tmp_path):
    code = site.kiosk.post("/api/v1/dossiers", dossier_body()).json()["code"]
    move(site, code, "processing")
    ticket = site.kiosk.post("/api/v1/tickets", {"service": "A", "owner_id_number": OWNER["id_number"]})
    assert ticket.status_code == 201, ticket.text
    kiosk = f"{site.code}-kiosk"

    playwright = sync_api.sync_playwright().start()
    browser = chromium.launch(playwright)
    try:
        page = chromium.counter_page(browser, site.url, "1", site.staff_token, 1366, 900, query="&lang=en")
        page.keyboard.press("n")
        page.wait_for_function("() => window.desk.view.current !== null")
        page.keyboard.press("d")
        page.click(f"#dossier-list [data-code='{code}']")
        page.wait_for_selector("#status-form")
        assert page.is_hidden("#status-form fieldset.locker")  # the first choice is needs_supplement
        page.select_option("#status-target", "ready_for_pickup")
        assert page.is_visible("#status-form fieldset.locker") and page.is_disabled("#locker-compartment")
        page.select_option("#locker-kiosk", kiosk)
        page.fill("#locker-compartment", "A3")
        page.screenshot(path=str(tmp_path / "counter-mark-ready.png"))
        page.click("#status-save")
        page.wait_for_function("() => document.querySelector('#status-target option[value=handed_over]')")
        assert f"Kiosk {kiosk}, compartment A3" in page.inner_text("#dossier-detail")
        assert page.input_value("#locker-compartment") == "A3"

        page.fill("#locker-compartment", "B 7")  # a space: the browser's own check stops the form
        page.click("#status-save")
        assert page.evaluate("() => document.querySelector('#locker-compartment').validity.valid") is False
    finally:
        browser.close()
        playwright.stop()
    assert (tmp_path / "counter-mark-ready.png").stat().st_size > 10_000
    view = site.kiosk.post(f"/api/v1/dossiers/{code}/details", {"id_number": OWNER["id_number"]}).json()
    assert view["status"] == "ready_for_pickup" and view["locker"] == {"kiosk": kiosk, "compartment": "A3"}
