"""Bad bodies get clear 4xx answers, never a 500: targeted cases and generated ones."""

from __future__ import annotations

import json
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

WRITES = ["/api/v1/tickets", "/api/v1/uploads", "/api/v1/dossiers", "/api/v1/ratings", "/api/v1/heartbeats",
          "/api/v1/alerts"]
KEYS = ["service", "priority", "offline_number", "issued_at", "filename", "content_type", "size", "sha256",
        "procedure", "owner", "form", "documents", "submitted_at", "score", "reasons", "counter", "kiosk",
        "devices", "outbox", "kind", "screen", "detail", "id_number", "full_name"]

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=False) | st.text(max_size=40)
           | st.sampled_from(["A", "HT-KS", "2025-01-01", "x" * 400]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=4),
                      max_leaves=12)
bodies = st.dictionaries(st.sampled_from(KEYS), values, max_size=6) | values


def post_raw(site, path: str, content: bytes, **headers):
    return site.kiosk.http.post(path, content=content, headers={
        "Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json", **headers})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(WRITES), body=bodies)
def test_generated_bodies_never_cause_a_server_error(site, path, body):
    response = post_raw(site, path, json.dumps(body).encode())
    assert response.status_code < 500, (path, body, response.text)
    if response.status_code >= 400:
        problem = response.json()
        assert problem["error"] and problem["message"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_are_refused_cleanly(site, raw):
    response = post_raw(site, "/api/v1/tickets", raw)
    assert 400 <= response.status_code < 500 or response.status_code == 201, response.text


def test_clear_errors_for_common_mistakes(site):
    not_json = post_raw(site, "/api/v1/tickets", b"{service: A")
    assert not_json.status_code == 400 and not_json.json()["error"] == "invalid_json"
    wrong_type = site.kiosk.post("/api/v1/tickets", {"service": "A", "priority": "yes"})
    assert wrong_type.status_code == 422 and wrong_type.json()["error"] == "invalid_body"
    assert wrong_type.json()["fields"][0]["field"] == "body.priority"
    assert "priority" in wrong_type.json()["message"]
    missing = site.kiosk.post("/api/v1/ratings", {"reasons": []})
    assert missing.status_code == 422 and "score" in missing.json()["message"]
    out_of_range = site.kiosk.post("/api/v1/ratings", {"score": 5})
    assert out_of_range.status_code == 422
    offline_without_time = site.kiosk.post("/api/v1/tickets", {"service": "A", "offline_number": "K1-A001"})
    assert offline_without_time.status_code == 422
    bad_owner = site.kiosk.post("/api/v1/dossiers", {"procedure": "HT-KS", "owner": {
        "id_number": "12345", "full_name": "Trần Thị Thử"}})
    assert bad_owner.status_code == 422 and "id_number" in bad_owner.json()["message"]
    not_a_number = post_raw(site, "/api/v1/heartbeats", b'{"kiosk": "k1", "outbox": {"pending": NaN}}')
    assert not_a_number.status_code == 422 and "finite" in not_a_number.json()["message"]
    unknown_route = site.kiosk.get("/api/v1/nothing-here")
    assert unknown_route.status_code == 404 and unknown_route.json()["error"] == "not_found"
    wrong_method = site.kiosk.http.delete("/api/v1/tickets", headers={"Idempotency-Key": str(uuid.uuid4())})
    assert wrong_method.status_code == 405 and wrong_method.json()["error"] == "method_not_allowed"


def test_request_size_limits(site, service):
    limit = service.settings.max_json_bytes
    big = json.dumps({"service": "A", "padding": "x" * limit}).encode()
    declared = post_raw(site, "/api/v1/tickets", big)
    assert declared.status_code == 413 and declared.json()["error"] == "body_too_large"

    def chunks():
        for _ in range(5):
            yield b" " * (limit // 4)
        yield b'{"service": "A"}'

    streamed = site.kiosk.http.post("/api/v1/tickets", content=chunks(), headers={
        "Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert site.ticket("A")["number"] == "A001"  # nothing above was issued
