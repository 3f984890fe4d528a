"""Idempotency keys: repeats answer the first result; a key reused for something else is refused."""

from __future__ import annotations

import uuid


def test_repeat_returns_the_first_answer_and_draws_nothing(site):
    key = str(uuid.uuid4())
    first = site.kiosk.post("/api/v1/tickets", {"service": "A", "priority": False}, key=key)
    repeat = site.kiosk.post("/api/v1/tickets", {"service": "A", "priority": False}, key=key)
    assert first.status_code == repeat.status_code == 201
    assert repeat.json() == first.json()
    assert repeat.headers.get("Idempotent-Replayed") == "true" and "Idempotent-Replayed" not in first.headers
    assert site.ticket("A")["number"] == "A002"


def test_repeat_after_state_changed_still_returns_the_first_answer(site):
    ticket = site.ticket("A")
    key = str(uuid.uuid4())
    first = site.kiosk.post(f"/api/v1/tickets/{ticket['reference']}/reprint", key=key)
    site.kiosk.post(f"/api/v1/tickets/{ticket['reference']}/void", {"reason": "print_failed"})
    repeat = site.kiosk.post(f"/api/v1/tickets/{ticket['reference']}/reprint", key=key)
    assert first.status_code == repeat.status_code == 200
    assert repeat.json()["status"] == "waiting" and repeat.json()["reprints"] == 1
    fresh = site.kiosk.post(f"/api/v1/tickets/{ticket['reference']}/reprint")
    assert fresh.status_code == 409


def test_same_key_with_another_body_or_route_is_refused(site):
    key = str(uuid.uuid4())
    assert site.kiosk.post("/api/v1/tickets", {"service": "A"}, key=key).status_code == 201
    other_body = site.kiosk.post("/api/v1/tickets", {"service": "B"}, key=key)
    assert other_body.status_code == 422 and other_body.json()["error"] == "idempotency_key_reused"
    other_route = site.kiosk.post("/api/v1/ratings", {"score": 4}, key=key)
    assert other_route.status_code == 422 and other_route.json()["error"] == "idempotency_key_reused"
    other_kiosk = site.another_kiosk("k2").post("/api/v1/tickets", {"service": "A"}, key=key)
    assert other_kiosk.status_code == 422
    assert site.ticket("B")["number"] == "B001"


def test_refusals_are_not_stored(site):
    key = str(uuid.uuid4())
    refused = site.kiosk.post("/api/v1/tickets", {"service": "Q"}, key=key)
    assert refused.status_code == 422
    again = site.kiosk.post("/api/v1/tickets", {"service": "Q"}, key=key)
    assert again.status_code == 422 and "Idempotent-Replayed" not in again.headers


def test_writes_need_a_well_formed_key(site):
    http = site.kiosk.http
    missing = http.post("/api/v1/tickets", json={"service": "A"})
    assert missing.status_code == 400 and missing.json()["error"] == "idempotency_key_required"
    bad = http.post("/api/v1/tickets", json={"service": "A"}, headers={"Idempotency-Key": "x y"})
    assert bad.status_code == 400 and bad.json()["error"] == "idempotency_key_invalid"
    assert site.ticket("A")["number"] == "A001"
