"""Staff sign-in with a session cookie and the counter page's API: CSRF, idempotency, the queue by
service, transfers, and the identified citizen's dossiers (linked by a keyed hash, never the ID)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from central import accounts, citizens
from central.models import Ticket
from central.settings import VIETNAM
from counters_support import http

OWNER = "001199004321"  # an invented citizen
OTHER = "079288001234"


def signed_in(site, **headers):
    client = http(site.url, headers=headers)
    response = client.post("/counter/api/login", json={"token": site.staff_token})
    assert response.status_code == 200, response.text
    csrf = client.get("/counter/api/session").json()["csrf"]
    return client, csrf


def write(client, csrf, path, json=None, key=None, **headers):
    return client.post(path, json=json, headers={"X-CSRF-Token": csrf, "Idempotency-Key": key or uuid.uuid4().hex,
                                                 **headers})


def test_login_sets_a_strict_httponly_cookie_and_refuses_other_tokens(site):
    client = http(site.url, headers={"Accept-Language": "vi"})
    refused = client.post("/counter/api/login", json={"token": site.kiosk_token})
    assert refused.status_code == 401
    assert refused.json()["message"] == "Mã truy cập của cán bộ không hợp lệ."
    assert client.get("/counter/api/session").json()["error"] == "login_required"
    answer = client.post("/counter/api/login", json={"token": site.staff_token})
    assert answer.status_code == 200 and answer.json()["center"] == site.code
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie and "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; HTTPS requests get Secure
    session = client.get("/counter/api/session").json()
    assert session["name"] == f"{site.code}-staff" and session["center"]["code"] == site.code
    assert [c["number"] for c in session["counters"]][:3] == ["1", "2", "3"] and session["csrf"]


def test_guessing_staff_tokens_is_slowed_down(site, lobby_service):
    lobby_service.clock.set(dt.datetime(2026, 5, 5, 10, 0, 1, tzinfo=VIETNAM))  # a fresh rate window
    client = http(site.url)
    answers = [client.post("/counter/api/login", json={"token": f"mcs_guess{i}"}) for i in range(11)]
    assert [a.status_code for a in answers] == [401] * 10 + [429]
    assert answers[-1].json()["error"] == "rate_limited" and int(answers[-1].headers["Retry-After"]) > 0


def test_cookie_writes_need_the_csrf_token_and_a_same_site_request(site):
    site.ticket("A")
    client, csrf = signed_in(site)
    no_token = client.post("/counter/api/counters/1/call-next", headers={"Idempotency-Key": uuid.uuid4().hex})
    assert no_token.status_code == 403 and no_token.json()["error"] == "csrf_failed"
    wrong = write(client, "x" + csrf[1:], "/counter/api/counters/1/call-next")
    assert wrong.status_code == 403
    cross = write(client, csrf, "/counter/api/counters/1/call-next", **{"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    no_key = client.post("/counter/api/counters/1/call-next", headers={"X-CSRF-Token": csrf})
    assert no_key.status_code == 400 and no_key.json()["error"] == "idempotency_key_required"
    key = uuid.uuid4().hex
    called = write(client, csrf, "/counter/api/counters/1/call-next", key=key)
    assert called.status_code == 200 and called.json()["number"] == "A001"
    again = write(client, csrf, "/counter/api/counters/1/call-next", key=key)
    assert again.json() == called.json() and again.headers["Idempotent-Replayed"] == "true"
    # the bearer staff API is unchanged and needs no cookie
    assert site.staff.get("/api/v1/staff/queue").status_code == 200


def test_a_tampered_or_outdated_session_is_refused(site, lobby_service):
    client, csrf = signed_in(site)
    cookie = client.cookies.get("motcua_staff")
    staff_id, expires, nonce, signature = cookie.split(".")
    forged = http(site.url, cookies={"motcua_staff": f"{staff_id}.{int(expires) + 3600}.{nonce}.{signature}"})
    assert forged.get("/counter/api/session").status_code == 401
    sessions = lobby_service.app.state.staff_sessions
    sessions.cache_s = 0  # checked cookies are normally trusted for 10 s
    sessions.forget()
    try:
        assert client.get("/counter/api/session").status_code == 200
        accounts.add_account(lobby_service.db, "staff", f"{site.code}-staff", site.code, rotate=True)
        assert client.get("/counter/api/session").status_code == 401  # a new token ends old sessions
    finally:
        sessions.cache_s = 10.0


def test_logout_forgets_the_cookie(site):
    client, csrf = signed_in(site)
    out = client.post("/counter/api/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 200 and 'motcua_staff=""' in out.headers["set-cookie"]
    assert client.get("/counter/api/session").status_code == 401


def test_desk_shows_the_counter_queue_by_service_priority_first(site):
    site.ticket("A")
    site.ticket("A", owner=OWNER)
    site.ticket("A", priority=True)
    site.ticket("B")
    client, csrf = signed_in(site)
    view = client.get("/counter/api/counters/1").json()
    assert view["counter"]["services"] == ["A"] and view["current"] is None
    [queue] = view["queue"]
    assert [t["number"] for t in queue["tickets"]] == ["A003", "A001", "A002"]
    assert [t["identified"] for t in queue["tickets"]] == [False, False, True]
    assert queue["name"]["vi"] == "Hộ tịch – Cư trú"
    called = write(client, csrf, "/counter/api/counters/1/call-next").json()
    assert called["number"] == "A003" and called["priority"] is True
    view = client.get("/counter/api/counters/1").json()
    assert view["current"]["number"] == "A003" and view["current"]["status"] == "called"
    recalled = write(client, csrf, f"/counter/api/tickets/{called['reference']}/recall").json()
    assert recalled["recalls"] == 1
    moved = write(client, csrf, f"/counter/api/tickets/{called['reference']}/transfer", {"service": "B"})
    assert moved.status_code == 200 and moved.json()["service"] == "B"
    b_queue = client.get("/counter/api/counters/3").json()["queue"][0]["tickets"]
    assert [t["number"] for t in b_queue] == ["A003", "B001"]
    assert b_queue[0]["transferred_from"] == "A"
    missing = client.get("/counter/api/counters/99", headers={"Accept-Language": "vi"})
    assert missing.status_code == 404 and missing.json()["message"] == "Trung tâm này không có quầy 99."


def submit_dossier(site, id_number: str, name: str) -> dict:
    body = {"procedure": "HT-KS", "owner": {"id_number": id_number, "full_name": name}, "form": {}}
    response = site.kiosk.post("/api/v1/dossiers", body)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_identified_citizens_dossiers_open_from_their_ticket(site, lobby_service):
    mine = submit_dossier(site, OWNER, "Nguyễn Văn Thử")
    submit_dossier(site, OTHER, "Trần Thị Mẫu")
    ticket = site.ticket("A", owner=OWNER)
    anonymous = site.ticket("A")
    with lobby_service.db.read() as session:
        stored = session.scalar(select(Ticket.owner_key).where(Ticket.reference == ticket["reference"]))
    assert stored == citizens.owner_key(lobby_service.settings, OWNER) and OWNER not in stored and len(stored) == 64
    client, csrf = signed_in(site, **{"Accept-Language": "vi"})
    called = write(client, csrf, "/counter/api/counters/1/call-next").json()
    assert called["reference"] == ticket["reference"]
    assert client.get("/counter/api/counters/1").json()["current"]["identified"] is True
    found = client.get(f"/counter/api/tickets/{ticket['reference']}/dossiers").json()
    assert [d["code"] for d in found] == [mine["code"]]
    detail = client.get(f"/counter/api/dossiers/{mine['code']}").json()
    assert detail["owner"]["full_name"] == "Nguyễn Văn Thử"
    none = client.get(f"/counter/api/tickets/{anonymous['reference']}/dossiers")
    assert none.status_code == 404 and none.json()["error"] == "no_owner"


def test_owner_links_are_wiped_after_their_day(site, lobby_service):
    lobby_service.clock.set(dt.datetime(2026, 3, 2, 9, 0, tzinfo=VIETNAM))
    ticket = site.ticket("A", owner=OWNER)
    lobby_service.clock.set(dt.datetime(2026, 3, 3, 9, 0, tzinfo=VIETNAM))
    assert citizens.forget_old_links(lobby_service.app.state.central) >= 1
    with lobby_service.db.read() as session:
        assert session.scalar(select(Ticket.owner_key).where(Ticket.reference == ticket["reference"])) is None


def test_a_malformed_owner_id_is_refused(site):
    response = site.kiosk.post("/api/v1/tickets", {"service": "A", "owner_id_number": "12AB"})
    assert response.status_code == 422 and "owner_id_number" in response.text
