"""The client against the real central service on loopback: the contract, refusals and idempotency."""

import hashlib
import uuid

import pytest
from live_central import pdf_bytes

from kiosk.api import CentralClient, Conflict, NotAuthorized, NotFound, Rejected
from kiosk.outbox import DeliveryWorker, Outbox, SecretBox, queue_alert, queue_heartbeat, queue_rating


@pytest.fixture
def client(shared_central):
    client = CentralClient(shared_central.url, shared_central.kiosk_token, connect_timeout=1, read_timeout=5)
    yield client
    client.close()


def _key() -> str:
    return str(uuid.uuid4())


def test_health_services_and_procedures(client):
    assert client.health() is True
    services = client.services()
    assert {"A", "B"} <= {s["code"] for s in services}
    assert all({"code", "name", "counters"} <= set(s) for s in services)
    procedures = client.procedures()
    assert len(procedures) >= 20
    code = procedures[0]["code"]
    assert client.procedure(code)["code"] == code


def test_ticket_issue_repeat_reprint_and_void(client):
    key = _key()
    body = CentralClient.ticket_body("B", priority=True)
    ticket = client.issue_ticket(body, key)
    assert ticket["number"].startswith("B") and ticket["priority"] is True and ticket["status"] == "waiting"
    assert "+07:00" in ticket["issued_at"]
    assert isinstance(ticket["position"], int) and isinstance(ticket["estimated_wait_minutes"], int)

    again = client.issue_ticket(body, key)
    assert again["reference"] == ticket["reference"] and again["number"] == ticket["number"]

    with pytest.raises(Rejected) as caught:
        client.issue_ticket(CentralClient.ticket_body("A"), key)
    assert caught.value.status == 422 and caught.value.code == "idempotency_key_reused"

    assert client.ticket(ticket["reference"])["number"] == ticket["number"]
    assert client.reprint_ticket(ticket["reference"], _key())["reprints"] == 1
    voided = client.void_ticket(ticket["reference"], "print_failed", _key())
    assert voided["status"] == "voided"
    with pytest.raises(Conflict) as caught:
        client.reprint_ticket(ticket["reference"], _key())
    assert caught.value.code == "invalid_ticket_state"


def test_refusals_are_clear_4xx(client, shared_central):
    with pytest.raises(Rejected) as caught:
        client.issue_ticket({"service": "a!", "priority": "yes"}, _key())
    assert 400 <= caught.value.status < 500 and caught.value.code
    with pytest.raises(NotFound):
        client.ticket(str(uuid.uuid4()))
    stranger = CentralClient(shared_central.url, "not-a-token", connect_timeout=1, read_timeout=5)
    try:
        with pytest.raises(NotAuthorized) as caught:
            stranger.services()
        assert caught.value.status in (401, 403) and not caught.value.retryable
    finally:
        stranger.close()


def test_resumable_upload_steps(client):
    data = pdf_bytes("upload steps", padding=3000)
    digest = hashlib.sha256(data).hexdigest()
    started = client.start_upload("scan.pdf", len(data), digest, _key())
    upload_id = started["upload_id"]
    assert started["received"] == 0
    assert client.put_chunk(upload_id, 0, data[:1000], len(data), _key()) == 1000
    with pytest.raises(Conflict) as caught:
        client.put_chunk(upload_id, 500, data[500:1500], len(data), _key())
    assert caught.value.body["received"] == 1000
    assert client.upload_status(upload_id) == 1000
    assert client.put_chunk(upload_id, 1000, data[1000:], len(data), _key()) == len(data)
    document = client.complete_upload(upload_id, _key())
    assert document["sha256"] == digest and document["size"] == len(data)


def test_queued_reports_are_accepted_by_the_service(client, tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite3", SecretBox.from_file(tmp_path / "outbox.key"))
    try:
        worker = DeliveryWorker(outbox, client)
        queue_rating(outbox, 3, ["waited too long"], service="A", counter="1")
        queue_alert(outbox, "print_failed", "ticket", "paper out")
        queue_heartbeat(outbox, "kiosk-contract", {"printer": {"status": "warning", "detail": "paper near end"}})
        assert worker.run_until_idle() == 3
        assert outbox.jobs() == []
        assert outbox.counts().delivered == {"alert": 1, "heartbeat": 1, "rating": 1}
    finally:
        outbox.close()
