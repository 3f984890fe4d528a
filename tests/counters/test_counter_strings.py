"""Every word of the counter and lobby pages comes from the translation catalogs, in Vietnamese and English."""

from __future__ import annotations

import re

from central.routes.pages import PAGE_STRINGS, WEB_DIR
from central.staff_session import MESSAGES
from counters_support import http
from kiosk.i18n import catalog


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_every_page_string_and_refusal_is_translated():
    for language in ("vi", "en"):
        known = catalog(language)
        missing = [m for m in [*PAGE_STRINGS, *MESSAGES.values()] if not known.get(m)]
        assert missing == [], language
        for message in [*PAGE_STRINGS, *MESSAGES.values()]:
            assert placeholders(known[message]) == placeholders(message), message


def test_pages_only_use_listed_strings():
    used = set()
    for page in WEB_DIR.glob("*.html"):
        used |= set(re.findall(r'data-t2?="([^"]+)"', page.read_text(encoding="utf-8")))
    for script in WEB_DIR.glob("*.js"):
        used |= set(re.findall(r'\b(?:t|en)\("([^"]+)"', script.read_text(encoding="utf-8")))
    assert used - set(PAGE_STRINGS) == set()


def test_strings_are_served_per_language(site):
    client = http(site.url)
    vietnamese = client.get("/web/strings/vi.json").json()
    assert vietnamese["Calling number"] == "Mời số" and vietnamese["to counter"] == "đến quầy"
    assert client.get("/web/strings/en.json").json()["Calling number"] == "Calling number"
    assert client.get("/web/strings/xx.json").status_code == 404


def test_pages_forbid_outside_scripts_and_framing(site):
    client = http(site.url)
    for path in ("/counter", "/counter/login", f"/display/{site.code}"):
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "http" not in page.text.replace(site.url, "")  # nothing loaded from elsewhere
    default = site.service.settings.default_center
    assert client.get("/display").headers["location"] == f"/display/{default}"
