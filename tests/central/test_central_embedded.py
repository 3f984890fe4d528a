"""The in-process service used by ``kiosk demo``; the error catalog's translations; the benchmark."""

from __future__ import annotations

import argparse
import re

import httpx
import pytest

from central import embedded
from central.errors import MESSAGES
from kiosk.bench import central as central_bench
from kiosk.i18n import catalog


def test_embedded_service_starts_serves_and_stops(tmp_path):
    service = embedded.start(tmp_path)
    with httpx.Client(base_url=service.url, verify=False) as client:
        services = client.get("/api/v1/services", headers={"Authorization": f"Bearer {service.kiosk_token}"})
        assert services.status_code == 200 and services.json()[0]["code"] == "A"
        queue = client.get("/api/v1/staff/queue", headers={"Authorization": f"Bearer {service.staff_token}"})
        assert queue.status_code == 200 and queue.json() == []
        service.stop()
        with pytest.raises(httpx.ConnectError):
            client.get("/health")
    again = embedded.start(tmp_path)  # same data directory: the accounts get new tokens
    try:
        assert again.kiosk_token != service.kiosk_token
        refused = httpx.get(again.url + "/api/v1/services", headers={"Authorization": f"Bearer {service.kiosk_token}"})
        assert refused.status_code == 401
    finally:
        again.stop()


def test_stopping_ends_the_lobby_displays_streams_instead_of_waiting_for_them(tmp_path):
    """A lobby display keeps its event stream open for a minute at a time; the server waits for open
    connections before it stops, so stop() ends the streams first and the service really stops."""
    import threading

    service = embedded.start(tmp_path)
    thread = service._thread
    received: list[bytes] = []
    first_event = threading.Event()

    def display():
        url = f"{service.url}/board/{service.settings.default_center}/events"
        with httpx.stream("GET", url, timeout=70) as events:
            for chunk in events.iter_bytes():
                received.append(chunk)
                if b"event: state" in b"".join(received):
                    first_event.set()

    watching = threading.Thread(target=display, daemon=True)
    watching.start()
    assert first_event.wait(30), "the display got the board"
    service.stop(timeout=10)
    watching.join(10)
    assert not thread.is_alive() and not watching.is_alive()


def test_every_error_message_has_a_vietnamese_translation():
    vietnamese = catalog("vi")
    missing = [m for m in MESSAGES.values() if not vietnamese.get(m)]
    assert missing == []
    for message in MESSAGES.values():
        assert set(re.findall(r"\{(\w+)\}", vietnamese[message])) == set(re.findall(r"\{(\w+)\}", message))


@pytest.mark.slow
def test_benchmark_writes_its_section(tmp_path, monkeypatch):
    report = tmp_path / "BENCHMARKS.md"
    monkeypatch.setenv("KIOSK_BENCHMARKS_MD", str(report))
    parser = argparse.ArgumentParser()
    central_bench.add_arguments(parser)
    status = central_bench.run(parser.parse_args(["--backend", "sqlite", "--clients", "3", "--seconds", "1"]))
    text = report.read_text()
    assert status == 0
    row = [line for line in text.splitlines() if line.startswith("| sqlite |")][0]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert int(cells[4]) > 0 and cells[8] == "0" and cells[9] == "0"  # tickets issued, no errors, no duplicates
