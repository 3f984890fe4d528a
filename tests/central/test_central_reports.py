"""Ratings, heartbeats and alerts from kiosks, and what staff see of them; health when the database is gone."""

from __future__ import annotations

from sqlalchemy import select

from central.models import Rating
from central.settings import Settings
from central_support import http_client


def test_ratings_are_recorded(site, service):
    created = site.kiosk.post("/api/v1/ratings", {"score": 4, "reasons": ["fast", "friendly"], "service": "A",
                                                   "counter": "1"})
    assert created.status_code == 201 and created.json()["id"] > 0
    assert site.kiosk.post("/api/v1/ratings", {"score": 1, "service": None, "counter": None}).status_code == 201
    unknown = site.kiosk.post("/api/v1/ratings", {"score": 3, "service": "Z"})
    assert unknown.status_code == 422 and unknown.json()["error"] == "unknown_service"
    with service.db.read() as session:
        scores = session.scalars(select(Rating.score).where(Rating.center_code == site.code)
                                 .order_by(Rating.id)).all()
    assert scores == [4, 1]


def test_heartbeats_show_on_the_staff_kiosk_list(site):
    beat = {"kiosk": "kiosk-01", "devices": {"printer": {"status": "error", "detail": "paper out"},
                                             "camera": {"status": "ok", "detail": ""}},
            "outbox": {"pending": 3, "failed": 0}}
    assert site.kiosk.post("/api/v1/heartbeats", beat).status_code == 201
    kiosks = site.staff.get("/api/v1/staff/kiosks").json()
    mine = [k for k in kiosks if k["name"] == f"{site.code}-kiosk"][0]
    assert mine["last_seen_at"] is not None
    assert mine["devices"]["printer"] == {"status": "error", "detail": "paper out"}
    assert mine["outbox"] == {"pending": 3, "failed": 0}


def test_alerts_reach_staff_and_can_be_acknowledged(site):
    raised = site.kiosk.post("/api/v1/alerts", {"kind": "call_staff", "screen": "dossier_lookup",
                                                "detail": "citizen needs help"})
    assert raised.status_code == 201
    site.kiosk.post("/api/v1/alerts", {"kind": "print_failed", "screen": "ticket", "detail": "paper out"})
    open_alerts = site.staff.get("/api/v1/staff/alerts").json()
    assert [a["kind"] for a in open_alerts] == ["print_failed", "call_staff"]  # newest first
    alert_id = raised.json()["id"]
    acknowledged = site.staff.post(f"/api/v1/staff/alerts/{alert_id}/acknowledge")
    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_by"] == f"{site.code}-staff"
    still_open = site.staff.get("/api/v1/staff/alerts").json()
    assert [a["kind"] for a in still_open] == ["print_failed"]
    everything = site.staff.get("/api/v1/staff/alerts", params={"open": "false"}).json()
    assert len(everything) == 2
    assert site.staff.post("/api/v1/staff/alerts/999999/acknowledge").status_code == 404
    bad_kind = site.kiosk.post("/api/v1/alerts", {"kind": "Call Staff!"})
    assert bad_kind.status_code == 422


def test_health_is_503_when_the_database_is_unreachable(tmp_path):
    from central import embedded

    settings = Settings(data_dir=tmp_path, db_url="postgresql+psycopg://nobody@127.0.0.1:9/none")
    server, thread, url, _app = embedded.serve_in_thread(settings)
    try:
        with http_client() as client:
            health = client.get(url + "/health")
            assert health.status_code == 503 and health.headers["Retry-After"]
            tickets = client.post(url + "/api/v1/tickets", json={"service": "A"},
                                  headers={"Authorization": "Bearer mck_whatever", "Idempotency-Key": "k" * 10})
            assert tickets.status_code == 503 and tickets.json()["error"] == "database_unavailable"
    finally:
        server.should_exit = True
        thread.join(10)
