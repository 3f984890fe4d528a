"""Where a ready result waits: a kiosk's locker compartment (picked up only there) or the counter."""

from __future__ import annotations

import uuid

import pytest

from central_dossier_support import OWNER, dossier_body, move
from central_support import http_client


def ready_dossier(site, locker=None) -> str:
    made = site.kiosk.post("/api/v1/dossiers", dossier_body())
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    move(site, code, "processing", "ready_for_pickup", locker=locker)
    return code


def details(site, code: str) -> dict:
    answer = site.kiosk.post(f"/api/v1/dossiers/{code}/details", {"id_number": OWNER["id_number"]})
    assert answer.status_code == 200, answer.text
    return answer.json()


def pickup(client, code: str, kiosk: str, compartment=None):
    return client.post(f"/api/v1/dossiers/{code}/pickup",
                       {"id_number": OWNER["id_number"], "kiosk": kiosk, "compartment": compartment})


def test_the_full_view_says_where_the_result_waits(site):
    kiosk = f"{site.code}-kiosk"
    code = ready_dossier(site, locker={"kiosk": kiosk, "compartment": "A3"})
    view = details(site, code)
    assert view["locker"] == {"kiosk": kiosk, "compartment": "A3"}
    assert view["counter"] == "1"  # HT-XNHN is service A, served at counters 1 and 2
    at_counter = ready_dossier(site)
    assert details(site, at_counter)["locker"] is None and details(site, at_counter)["counter"] == "1"
    public = site.kiosk.get(f"/api/v1/dossiers/{code}").json()
    assert "locker" not in public and "counter" not in public  # the place is for the owner only


def test_a_pickup_elsewhere_than_the_locker_is_refused_and_says_where(site):
    hall = site.another_kiosk("hall")  # a second kiosk of the center, holding the locker
    locker_kiosk = f"{site.code}-hall"
    code = ready_dossier(site, locker={"kiosk": locker_kiosk, "compartment": "B12"})
    refused = pickup(site.kiosk, code, f"{site.code}-kiosk")
    assert refused.status_code == 409 and refused.json()["error"] == "wrong_kiosk"
    assert refused.json()["locker"] == {"kiosk": locker_kiosk, "compartment": "B12"}
    assert locker_kiosk in refused.json()["message"]
    assert details(site, code)["status"] == "ready_for_pickup"

    handed = pickup(hall, code, locker_kiosk, "B12")
    assert handed.status_code == 200 and handed.json()["status"] == "handed_over"
    assert handed.json()["pickup"]["kiosk"] == locker_kiosk and handed.json()["pickup"]["compartment"] == "B12"
    again = pickup(hall, code, locker_kiosk, "B12")
    assert again.status_code == 409 and again.json()["error"] == "already_handed_over"


def test_a_pickup_at_the_locker_kiosk_records_its_compartment(site):
    kiosk = f"{site.code}-kiosk"
    code = ready_dossier(site, locker={"kiosk": kiosk, "compartment": "C1"})
    handed = pickup(site.kiosk, code, kiosk)  # the kiosk did not say which compartment it opened
    assert handed.status_code == 200
    assert handed.json()["pickup"] == {"kiosk": kiosk, "compartment": "C1", "by": kiosk}
    assert handed.json()["locker"] == {"kiosk": kiosk, "compartment": "C1"}


def test_without_a_locker_any_kiosk_hands_over(site):
    code = ready_dossier(site)
    handed = pickup(site.another_kiosk("k3"), code, f"{site.code}-k3")
    assert handed.status_code == 200 and handed.json()["pickup"]["compartment"] is None


def test_staff_can_move_or_clear_the_place_while_ready(site):
    kiosk = f"{site.code}-kiosk"
    code = ready_dossier(site, locker={"kiosk": kiosk, "compartment": "A1"})
    message = site.staff.post(f"/api/v1/staff/dossiers/{code}/status",
                              {"status": "ready_for_pickup", "message": "Mời nhận kết quả trước thứ Sáu."})
    assert message.status_code == 200 and message.json()["locker"] == {"kiosk": kiosk, "compartment": "A1"}
    moved = site.staff.post(f"/api/v1/staff/dossiers/{code}/status",
                            {"status": "ready_for_pickup", "locker": {"kiosk": kiosk, "compartment": "A2"}})
    assert moved.status_code == 200 and moved.json()["locker"]["compartment"] == "A2"
    cleared = site.staff.post(f"/api/v1/staff/dossiers/{code}/status", {"status": "ready_for_pickup", "locker": None})
    assert cleared.status_code == 200 and cleared.json()["locker"] is None
    assert [h["status"] for h in cleared.json()["history"]][-3:] == ["ready_for_pickup"] * 3


@pytest.mark.parametrize("body, status, error", [
    ({"status": "ready_for_pickup", "locker": {"kiosk": "no-such-kiosk", "compartment": "A3"}}, 422, "unknown_kiosk"),
    ({"status": "ready_for_pickup", "locker": {"kiosk": "{own}", "compartment": "A 3"}}, 422, "invalid_body"),
    ({"status": "ready_for_pickup", "locker": {"kiosk": "{own}"}}, 422, "invalid_body"),
    ({"status": "ready_for_pickup", "locker": "A3"}, 422, "invalid_body"),
    ({"status": "rejected", "locker": {"kiosk": "{own}", "compartment": "A3"}}, 422, "invalid_body"),
])
def test_bad_locker_places_are_refused(site, body, status, error):
    made = site.kiosk.post("/api/v1/dossiers", dossier_body()).json()["code"]
    move(site, made, "processing")
    if isinstance(body.get("locker"), dict) and body["locker"].get("kiosk") == "{own}":
        body = body | {"locker": body["locker"] | {"kiosk": f"{site.code}-kiosk"}}
    refused = site.staff.post(f"/api/v1/staff/dossiers/{made}/status", body)
    assert refused.status_code == status and refused.json()["error"] == error, refused.text
    assert set(refused.json()) >= {"error", "message"}
    assert details(site, made)["status"] == "processing"


def test_a_kiosk_of_another_center_is_not_a_locker_here(site, service):
    from central_support import new_site

    elsewhere = new_site(service)
    try:
        made = site.kiosk.post("/api/v1/dossiers", dossier_body()).json()["code"]
        move(site, made, "processing")
        refused = site.staff.post(f"/api/v1/staff/dossiers/{made}/status", {
            "status": "ready_for_pickup", "locker": {"kiosk": f"{elsewhere.code}-kiosk", "compartment": "A3"}})
        assert refused.status_code == 422 and refused.json()["error"] == "unknown_kiosk"
    finally:
        elsewhere.kiosk.close()
        elsewhere.staff.close()


def test_the_counter_page_marks_a_dossier_ready_with_a_compartment(site):
    code = site.kiosk.post("/api/v1/dossiers", dossier_body()).json()["code"]
    move(site, code, "processing")
    page = http_client(base_url=site.url)
    try:
        assert page.post("/counter/api/login", json={"token": site.staff_token}).status_code == 200
        session = page.get("/counter/api/session").json()
        assert f"{site.code}-kiosk" in session["kiosks"]
        marked = page.post(f"/counter/api/dossiers/{code}/status",
                           json={"status": "ready_for_pickup", "message": "",
                                 "locker": {"kiosk": f"{site.code}-kiosk", "compartment": "D4"}},
                           headers={"X-CSRF-Token": session["csrf"], "Idempotency-Key": uuid.uuid4().hex})
        assert marked.status_code == 200, marked.text
        assert marked.json()["locker"] == {"kiosk": f"{site.code}-kiosk", "compartment": "D4"}
        no_csrf = page.post(f"/counter/api/dossiers/{code}/status", json={"status": "ready_for_pickup"},
                            headers={"Idempotency-Key": uuid.uuid4().hex})
        assert no_csrf.status_code == 403
    finally:
        page.close()
    assert details(site, code)["locker"]["compartment"] == "D4"
