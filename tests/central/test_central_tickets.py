"""Tickets over HTTP: numbers, queue order, wait estimates, daily reset, void/reprint, counters."""

from __future__ import annotations

import datetime as dt
import uuid

from central.settings import VIETNAM
from central_support import Client, new_site, start_service


def at_vn(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VIETNAM)


def test_numbers_follow_each_other_per_service(site):
    first, second = site.ticket("A"), site.ticket("A")
    other = site.ticket("B")
    assert (first["number"], second["number"], other["number"]) == ("A001", "A002", "B001")
    assert first["service"] == "A" and first["status"] == "waiting" and first["priority"] is False
    assert first["counter"] == "1" and first["counters"] == ["1", "2"]
    assert dt.datetime.fromisoformat(first["issued_at"]).utcoffset() == dt.timedelta(hours=7)
    assert (first["position"], second["position"], other["position"]) == (0, 1, 0)


def test_wait_uses_default_minutes_and_counters_until_citizens_are_served(site):
    site.clock.set(at_vn(2025, 3, 10, 8, 0))
    for _ in range(4):
        last = site.ticket("C")  # one counter, 20 minutes by default
    assert last["position"] == 3 and last["estimated_wait_minutes"] == 60
    for _ in range(2):
        called = site.staff.post("/api/v1/staff/counters/4/call-next").json()
        site.clock.advance(minutes=5)
        assert site.staff.post(f"/api/v1/staff/tickets/{called['reference']}/served").status_code == 200
    fresh = site.kiosk.get(f"/api/v1/tickets/{last['reference']}").json()
    assert fresh["position"] == 1
    assert fresh["estimated_wait_minutes"] == 5  # measured 5 minutes per citizen, not the default 20


def test_priority_tickets_go_first(site):
    normal = site.ticket("A")
    urgent = site.ticket("A", priority=True)
    assert urgent["number"] == "A002" and urgent["priority"] is True
    assert urgent["position"] == 0
    assert site.kiosk.get(f"/api/v1/tickets/{normal['reference']}").json()["position"] == 1
    called = site.staff.post("/api/v1/staff/counters/1/call-next").json()
    assert called["number"] == "A002" and called["status"] == "called" and called["counter"] == "1"
    queue = site.staff.get("/api/v1/staff/queue").json()
    assert [t["number"] for t in queue] == ["A001"]


def test_daily_reset_at_midnight_vietnam_time(site):
    site.clock.set(dt.datetime(2025, 3, 10, 16, 59, 0, tzinfo=dt.timezone.utc))  # 23:59 in Vietnam
    late = [site.ticket("A")["number"] for _ in range(2)]
    site.clock.set(dt.datetime(2025, 3, 10, 17, 0, 1, tzinfo=dt.timezone.utc))  # 00:00:01 next day, same UTC date
    early = site.ticket("A")
    assert late == ["A001", "A002"]
    assert early["number"] == "A001" and early["business_day"] == "2025-03-11"
    assert early["position"] == 0  # yesterday's waiting tickets are not ahead


def test_void_and_reprint(site):
    ticket = site.ticket("B")
    behind = site.ticket("B")
    reprinted = site.kiosk.post(f"/api/v1/tickets/{ticket['reference']}/reprint")
    assert reprinted.status_code == 200 and reprinted.json()["reprints"] == 1
    voided = site.kiosk.post(f"/api/v1/tickets/{ticket['reference']}/void", {"reason": "print_failed"})
    assert voided.status_code == 200 and voided.json()["status"] == "voided"
    assert site.kiosk.get(f"/api/v1/tickets/{behind['reference']}").json()["position"] == 0
    again = site.kiosk.post(f"/api/v1/tickets/{ticket['reference']}/reprint")
    assert again.status_code == 409 and again.json()["error"] == "invalid_ticket_state"
    assert site.ticket("B")["number"] == "B003"  # a voided number is never reused


def test_unknown_ticket_and_service(site, service):
    missing = site.kiosk.get("/api/v1/tickets/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["error"] == "ticket_not_found"
    unknown = site.kiosk.post("/api/v1/tickets", {"service": "Z", "priority": False})
    assert unknown.status_code == 422 and unknown.json()["error"] == "unknown_service"
    assert "Z" in unknown.json()["message"]
    translated = site.kiosk.post("/api/v1/tickets", {"service": "Z"}, headers={"Accept-Language": "vi"})
    assert translated.json()["message"] != unknown.json()["message"]


def test_offline_ticket_joins_the_queue_at_its_issue_time(site):
    site.clock.set(at_vn(2025, 6, 2, 9, 0))
    online = site.ticket("A")
    offline_time = at_vn(2025, 6, 2, 8, 30).isoformat()
    body = {"service": "A", "priority": False, "offline_number": "K1-A001", "issued_at": offline_time}
    recorded = site.kiosk.post("/api/v1/tickets", body)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["number"] == "K1-A001" and recorded.json()["offline"] is True
    assert recorded.json()["position"] == 0
    assert site.kiosk.get(f"/api/v1/tickets/{online['reference']}").json()["position"] == 1
    same_again = site.kiosk.post("/api/v1/tickets", body)  # a new key, the same report: no second ticket
    assert same_again.status_code == 201 and same_again.json()["reference"] == recorded.json()["reference"]
    other_kiosk = site.another_kiosk("k2")
    clash = other_kiosk.post("/api/v1/tickets", body | {"issued_at": at_vn(2025, 6, 2, 8, 45).isoformat()})
    assert clash.status_code == 409 and clash.json()["error"] == "offline_number_taken"
    assert site.ticket("A")["number"] == "A002"  # central numbering is untouched


def test_an_offline_tickets_qr_key_names_it_at_every_kiosk_of_the_center(site, service):
    """An offline ticket's slip carries the issuing kiosk's key for it; once delivered under that key,
    any kiosk of the center finds it by the key, as by the reference. Other keys and centers find nothing."""
    key = str(uuid.uuid4())
    body = {"service": "A", "priority": False, "offline_number": "K1-A007", "issued_at": at_vn(2025, 6, 3, 8, 0).isoformat()}
    site.clock.set(at_vn(2025, 6, 3, 9, 0))
    delivered = site.kiosk.post("/api/v1/tickets", body, key=key).json()
    other_kiosk = site.another_kiosk("hall-2")
    by_key = other_kiosk.get(f"/api/v1/tickets/{key}")
    assert by_key.status_code == 200, by_key.text
    assert by_key.json() == other_kiosk.get(f"/api/v1/tickets/{delivered['reference']}").json()
    assert by_key.json()["number"] == "K1-A007"

    void_key = str(uuid.uuid4())  # the key of some other write names no ticket
    site.kiosk.post(f"/api/v1/tickets/{delivered['reference']}/reprint", key=void_key)
    assert site.kiosk.get(f"/api/v1/tickets/{void_key}").json()["error"] == "ticket_not_found"
    elsewhere = new_site(service)
    assert elsewhere.kiosk.get(f"/api/v1/tickets/{key}").status_code == 404


def test_counter_operations(site):
    first, second = site.ticket("D"), site.ticket("D")
    empty = site.staff.post("/api/v1/staff/counters/1/call-next")  # counter 1 serves A only
    assert empty.status_code == 404 and empty.json()["error"] == "queue_empty"
    called = site.staff.post("/api/v1/staff/counters/5/call-next").json()
    assert called["reference"] == first["reference"]
    recalled = site.staff.post(f"/api/v1/staff/tickets/{first['reference']}/recall")
    assert recalled.status_code == 200 and recalled.json()["recalls"] == 1
    assert site.staff.post(f"/api/v1/staff/tickets/{first['reference']}/no-show").json()["status"] == "no_show"
    moved = site.staff.post(f"/api/v1/staff/tickets/{second['reference']}/transfer", {"service": "A"})
    assert moved.status_code == 200
    assert moved.json()["service"] == "A" and moved.json()["number"] == "D002"
    assert moved.json()["transferred_from"] == "D"
    assert site.staff.post("/api/v1/staff/counters/2/call-next").json()["number"] == "D002"
    assert site.staff.post(f"/api/v1/staff/tickets/{second['reference']}/served").json()["status"] == "served"
    late = site.staff.post(f"/api/v1/staff/tickets/{second['reference']}/recall")
    assert late.status_code == 409
    nowhere = site.staff.post("/api/v1/staff/counters/99/call-next")
    assert nowhere.status_code == 404 and nowhere.json()["error"] == "unknown_counter"


def test_services_listing(site):
    services = site.kiosk.get("/api/v1/services").json()
    assert [s["code"] for s in services] == ["A", "B", "C", "D", "E", "F"]
    assert services[0]["name"]["vi"] == "Hộ tịch – Cư trú" and services[0]["counters"] == ["1", "2"]
    assert all(s["field"] and s["icon"] for s in services)


def test_restart_keeps_numbering(service, make_db_url, tmp_path):
    """GIVEN a service that issued tickets WHEN a new service starts on the same database
    THEN numbering continues instead of starting again."""
    url = make_db_url(service.backend, "central_restart")
    numbers, token = [], None
    for _ in range(2):
        running = start_service(service.backend, url, tmp_path)
        running.clock.set(at_vn(2025, 7, 1, 9, 0))
        token = token or new_site(running).kiosk_token
        client = Client(running.url, token)
        for _ in range(2):
            numbers.append(client.post("/api/v1/tickets", {"service": "E"}).json()["number"])
        client.close()
        running.stop()
        running.db.dispose()
    assert numbers == ["E001", "E002", "E003", "E004"]
