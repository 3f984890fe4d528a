"""The staff pages in Debian's headless Chromium, driven by Playwright (test extras): where Chromium
is, how it is started, and how a staff member signs in to a counter page. Used by ``kiosk bench
display`` and by the browser tests."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def missing() -> str | None:
    """Why the browser cannot run here, in one line, or ``None``."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (Debian package chromium, or set MOTCUA_CHROMIUM)"
    return None


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def counter_page(browser, url: str, counter: str, staff_token: str, width: int = 1366, height: int = 768,
                 query: str = ""):
    """The counter page of ``counter``, signed in with ``staff_token`` and showing its desk."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{url}/counter?counter={counter}{query}")
    page.wait_for_url("**/counter/login**")
    page.fill("#token", staff_token)
    page.click("button[type=submit]")
    page.wait_for_function("() => window.desk && window.desk.view !== null")
    return page
