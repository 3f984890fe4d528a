"""The delivery worker against a scripted HTTP service on loopback."""

import json
import socket
import time

from kiosk.outbox import DeliveryWorker, JobStatus, RetryPolicy, queue_alert, queue_rating


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _wait(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_job_is_delivered_once_with_its_key_and_then_deleted(open_outbox, client_for, scripted):
    outbox = open_outbox()
    worker = DeliveryWorker(outbox, client_for(scripted.url))
    answers = []
    worker.on_delivered("rating", lambda job, answer: answers.append((job.key, answer)))
    job = queue_rating(outbox, 4, ["fast"], service="A", counter="2")
    assert worker.run_until_idle() == 1

    [request] = scripted.writes()
    assert request.method == "POST" and request.path == "/api/v1/ratings"
    assert request.headers["Idempotency-Key"] == job.key
    assert request.headers["Authorization"] == "Bearer kiosk-token"
    assert json.loads(request.body) == {"score": 4, "reasons": ["fast"], "service": "A", "counter": "2"}
    assert outbox.jobs() == [] and outbox.counts().delivered == {"rating": 1}
    assert answers == [(job.key, {"ok": True})]


def test_retries_reuse_the_same_idempotency_key(open_outbox, client_for, scripted):
    now = [1000.0]
    outbox = open_outbox(clock=lambda: now[0])
    worker = DeliveryWorker(outbox, client_for(scripted.url), clock=lambda: now[0])
    job = queue_alert(outbox, "call_staff", "home")
    scripted.answer(500, {"error": "internal", "message": "db hiccup"})
    scripted.answer(502, {})
    for _ in range(3):
        worker.deliver_one()
        now[0] += 1000
    keys = [s.headers["Idempotency-Key"] for s in scripted.writes()]
    assert keys == [job.key] * 3
    assert outbox.jobs() == []


def test_retry_after_is_honoured(open_outbox, client_for, scripted):
    now = [1000.0]
    outbox = open_outbox(clock=lambda: now[0])
    worker = DeliveryWorker(outbox, client_for(scripted.url), clock=lambda: now[0],
                            policy=RetryPolicy(base_s=1, jitter=0))
    queue_rating(outbox, 3)
    scripted.answer(503, {"error": "maintenance", "message": ""}, Retry_After="120")
    worker.deliver_one()
    [job] = outbox.jobs()
    assert job.status is JobStatus.QUEUED and job.next_attempt_at == 1120.0
    assert "503" in job.last_error
    now[0] += 119
    assert not worker.deliver_one(), "not due before the Retry-After has passed"
    now[0] += 1
    assert worker.deliver_one() and outbox.jobs() == []


def test_a_refused_job_fails_for_good_with_the_service_reason(open_outbox, client_for, scripted):
    outbox = open_outbox()
    worker = DeliveryWorker(outbox, client_for(scripted.url))
    job = queue_rating(outbox, 2)
    scripted.answer(422, {"error": "invalid_body", "message": "reasons must be a list"})
    worker.deliver_one()
    assert worker.wait_for(job.key, 0).reason == "422 invalid_body: reasons must be a list"
    [failed] = outbox.jobs()
    assert failed.status is JobStatus.FAILED and failed.failed_reason.startswith("422 invalid_body")
    assert not worker.deliver_one()
    assert len(scripted.writes()) == 1


def test_a_job_of_unknown_kind_fails_instead_of_blocking_the_queue(open_outbox, client_for, scripted):
    outbox = open_outbox()
    worker = DeliveryWorker(outbox, client_for(scripted.url))
    outbox.enqueue("fax", {"body": {}})
    after = queue_rating(outbox, 4)
    worker.run_until_idle()
    [failed] = outbox.jobs()
    assert failed.kind == "fax" and "no delivery known" in failed.failed_reason
    assert worker.wait_for(after.key, 0).delivered


def test_while_unreachable_delivery_pauses_and_resumes_when_the_link_is_back(open_outbox, client_for, scripted):
    outbox = open_outbox()
    client = client_for(_closed_port_url())
    worker = DeliveryWorker(outbox, client, probe_interval_s=0.05, policy=RetryPolicy(base_s=600, jitter=0))
    jobs = [queue_rating(outbox, n) for n in (1, 2, 3)]
    worker.start()
    try:
        assert _wait(lambda: outbox.jobs()[0].attempts >= 1)
        time.sleep(0.3)
        first, *others = outbox.jobs()
        assert first.attempts == 1 and first.status is JobStatus.QUEUED
        assert [j.attempts for j in others] == [0, 0], "no other job is tried while the service is down"

        client.url = scripted.url  # the link comes back; the next health probe finds it
        assert worker.wait_for(jobs[-1].key, 15) is not None
        assert outbox.jobs() == []
        assert [json.loads(s.body)["score"] for s in scripted.writes()] == [1, 2, 3]
    finally:
        assert worker.stop()


def test_wake_start_and_stop(open_outbox, client_for, scripted):
    outbox = open_outbox()
    worker = DeliveryWorker(outbox, client_for(scripted.url))
    worker.start()
    assert worker.running
    job = queue_rating(outbox, 4)
    worker.wake()
    outcome = worker.wait_for(job.key, 15)
    assert outcome is not None and outcome.delivered
    assert worker.stop() and not worker.running
    assert worker.stop(), "stopping twice is fine"
    later = queue_rating(outbox, 1)
    worker.wake()
    assert worker.wait_for(later.key, 0.3) is None, "a stopped worker delivers nothing"
    worker.start()
    assert worker.wait_for(later.key, 15).delivered
    worker.stop()


def test_heartbeats_are_queued_on_schedule_and_coalesced(open_outbox, client_for):
    outbox = open_outbox()
    client = client_for(_closed_port_url())
    beats = []

    def heartbeat():
        beats.append(1)
        from kiosk.outbox import queue_heartbeat

        return queue_heartbeat(outbox, "kiosk-07", {"printer": {"status": "ok", "detail": ""}})

    worker = DeliveryWorker(outbox, client, heartbeat=heartbeat, heartbeat_interval_s=0.05,
                            probe_interval_s=0.05, policy=RetryPolicy(base_s=600))
    worker.start()
    try:
        assert _wait(lambda: len(beats) >= 4)
    finally:
        worker.stop()
    waiting = [j for j in outbox.jobs() if j.kind == "heartbeat"]
    assert len(waiting) <= 2, "older unsent heartbeats are replaced (one may be in flight)"
    assert outbox.counts().coalesced.get("heartbeat", 0) >= 2
    assert waiting[-1].payload["body"]["kiosk"] == "kiosk-07"
