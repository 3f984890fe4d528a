"""Every route of the central service refuses callers without the right credential.

The routes are enumerated from the application itself (included routers and routes left out of the
OpenAPI document too) and each must sit in exactly one of the tables below: a route added later without
a decision about who may call it fails this test.
"""

from __future__ import annotations

import secrets

import httpx
import pytest
from security_support import call, routes

from central import embedded

#: Reachable without any credential, and why.
PUBLIC = {
    ("GET", "/health"): "liveness check for the operator and load balancers; says nothing but ok",
    ("GET", "/openapi.json"): "the API description",
    ("GET", "/docs"): "the API description",
    ("GET", "/docs/oauth2-redirect"): "part of the API description pages",
    ("GET", "/redoc"): "the API description",
    ("GET", "/board/chime.wav"): "the lobby board's chime",
    ("GET", "/board/{center}/calls/{number}/{counter}.wav"): "the lobby board calling a number to a counter",
    ("GET", "/board/{center}"): "the lobby board: ticket numbers and counters, shown to the whole hall",
    ("GET", "/board/{center}/events"): "the lobby board's live updates (the same numbers and counters)",
    ("GET", "/counter"): "the counter page's static shell; its data needs a staff session",
    ("GET", "/counter/login"): "the staff sign-in page",
    ("GET", "/display"): "the lobby display page's static shell",
    ("GET", "/display/{center}"): "the lobby display page's static shell",
    ("GET", "/web/strings/{language}.json"): "the pages' translated strings",
    ("GET", "/web/{path}"): "the pages' scripts and styles",
    ("POST", "/counter/api/login"): "the sign-in itself: it takes the staff credential",
    ("POST", "/counter/api/logout"): "ends the caller's own session cookie, if any",
}

#: Kiosks only (a staff token gets 403).
KIOSK_ONLY = {
    ("POST", "/api/v1/tickets"), ("POST", "/api/v1/tickets/void-by-key"), ("POST", "/api/v1/tickets/{reference}/void"),
    ("POST", "/api/v1/tickets/{reference}/reprint"), ("POST", "/api/v1/uploads"),
    ("GET", "/api/v1/uploads/{upload_id}"), ("PUT", "/api/v1/uploads/{upload_id}"),
    ("POST", "/api/v1/uploads/{upload_id}/complete"), ("POST", "/api/v1/dossiers"),
    ("POST", "/api/v1/dossiers/{code}/details"), ("POST", "/api/v1/dossiers/{code}/pickup"),
    ("POST", "/api/v1/ratings"), ("POST", "/api/v1/heartbeats"), ("POST", "/api/v1/alerts"),
}

#: Kiosks and staff (read-only catalog and public views).
KIOSK_OR_STAFF = {
    ("GET", "/api/v1/services"), ("GET", "/api/v1/tickets/{reference}"), ("GET", "/api/v1/procedures"),
    ("GET", "/api/v1/procedures/{code}"), ("GET", "/api/v1/calendar"), ("GET", "/api/v1/dossiers/{code}"),
}


def is_staff_api(path: str) -> bool:
    return path.startswith("/api/v1/staff/")


def is_counter_session(route: tuple[str, str]) -> bool:
    return route[1].startswith("/counter/api/") and route not in PUBLIC


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    service = embedded.start(tmp_path_factory.mktemp("central-routes"))
    yield service
    service.stop()


@pytest.fixture(scope="module")
def client(central):
    with httpx.Client(base_url=central.url, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def every_route(central):
    return routes(central.app)


def test_every_route_is_classified_and_every_table_entry_exists(every_route):
    unclassified = [r for r in every_route if not (
        r in PUBLIC or r in KIOSK_ONLY or r in KIOSK_OR_STAFF or is_staff_api(r[1]) or is_counter_session(r))]
    assert unclassified == [], "routes nobody decided the callers of"
    stale = sorted((set(PUBLIC) | KIOSK_ONLY | KIOSK_OR_STAFF) - set(every_route))
    assert stale == [], "table entries for routes that no longer exist"
    assert sum(is_staff_api(p) for _, p in every_route) >= 10
    assert sum(is_counter_session(r) for r in every_route) >= 8


def test_no_credential_is_refused_everywhere_but_the_public_routes(client, every_route):
    let_in = []
    for method, path in every_route:
        if (method, path) in PUBLIC:
            continue
        answer = call(client, method, path, None)
        if answer.status_code != 401:
            let_in.append(f"{method} {path}: {answer.status_code}")
    assert let_in == []


def test_unknown_and_malformed_tokens_are_refused(client, every_route, central):
    guarded = [r for r in every_route if r not in PUBLIC]
    forged = ["mck_" + secrets.token_urlsafe(32), "mcs_" + secrets.token_urlsafe(32), central.kiosk_token[:-2],
              "x" * 500, central.kiosk_token.upper()]
    let_in = []
    for n, (method, path) in enumerate(guarded):
        token = forged[n % len(forged)]
        answer = call(client, method, path, token)
        if answer.status_code != 401:
            let_in.append(f"{method} {path} with {token[:6]}…: {answer.status_code}")
    assert let_in == []


def test_a_kiosk_token_opens_no_staff_route(client, every_route, central):
    let_in = []
    for method, path in every_route:
        if is_staff_api(path) or is_counter_session((method, path)):
            answer = call(client, method, path, central.kiosk_token)
            if answer.status_code not in (401, 403):
                let_in.append(f"{method} {path}: {answer.status_code}")
    assert let_in == []


def test_a_staff_token_opens_no_kiosk_only_route(client, central):
    let_in = []
    for method, path in sorted(KIOSK_ONLY):
        answer = call(client, method, path, central.staff_token)
        if answer.status_code != 403 or answer.json().get("error") != "kiosk_only":
            let_in.append(f"{method} {path}: {answer.status_code}")
    assert let_in == []


def test_the_right_token_gets_past_the_door(client, every_route, central):
    """The refusals above are about credentials: with the right token no route answers 401 or 403."""
    wrong = []
    for method, path in every_route:
        if (method, path) in KIOSK_ONLY or (method, path) in KIOSK_OR_STAFF:
            tokens = [central.kiosk_token] + ([central.staff_token] if (method, path) in KIOSK_OR_STAFF else [])
        elif is_staff_api(path):
            tokens = [central.staff_token]
        else:
            continue
        for token in tokens:
            answer = call(client, method, path, token)
            if answer.status_code in (401, 403) or answer.status_code >= 500:
                wrong.append(f"{method} {path}: {answer.status_code} {answer.text[:80]}")
    assert wrong == []
