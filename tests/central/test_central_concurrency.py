"""Many kiosks at once: threads and separate processes, against two service instances on one database."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from central import embedded
from central_support import Client

CLIENT_PROCESS = r"""
import json, os, sys, time, uuid
import httpx
url, token, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
client = httpx.Client(base_url=url, headers={"Authorization": "Bearer " + token}, timeout=60, verify=False)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.005)
numbers = []
for _ in range(count):
    r = client.post("/api/v1/tickets", json={"service": "A", "priority": False},
                    headers={"Idempotency-Key": str(uuid.uuid4())})
    numbers.append([r.status_code, r.json().get("number"), r.json().get("reference")])
print(json.dumps(numbers), flush=True)
"""

THREADS, PER_THREAD = 8, 12
PROCESSES, PER_PROCESS = 3, 12


def test_concurrent_issuance_has_no_duplicates_and_no_gaps(site, service, tmp_path):
    """GIVEN two service instances on one database WHEN 8 threads and 3 processes issue tickets at
    once, some voiding theirs THEN every number 1..N is issued exactly once and only voided ones
    are missing from the queue."""
    second_server, second_thread, second_url, _app = embedded.serve_in_thread(service.settings)
    go = tmp_path / "go"
    try:
        processes = [
            subprocess.Popen([sys.executable, "-c", CLIENT_PROCESS, url, site.kiosk_token, str(PER_PROCESS), str(go)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for url in (service.url, second_url, service.url)
        ]
        for process in processes:
            assert process.stdout.readline().strip() == "ready"
        voided: set[str] = set()
        lock = threading.Lock()

        def kiosk_thread(index: int) -> list[str]:
            client = Client(service.url if index % 2 else second_url, site.kiosk_token)
            numbers = []
            for round_ in range(PER_THREAD):
                response = client.post("/api/v1/tickets", {"service": "A", "priority": False})
                assert response.status_code == 201, response.text
                ticket = response.json()
                numbers.append(ticket["number"])
                if (index + round_) % 7 == 0:
                    assert client.post(f"/api/v1/tickets/{ticket['reference']}/void",
                                       {"reason": "print_failed"}).status_code == 200
                    with lock:
                        voided.add(ticket["number"])
            client.close()
            return numbers

        go.touch()
        with ThreadPoolExecutor(THREADS) as pool:
            from_threads = [n for numbers in pool.map(kiosk_thread, range(THREADS)) for n in numbers]
        from_processes = []
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            results = json.loads(out.strip().splitlines()[-1])
            assert all(status == 201 for status, _n, _r in results), results
            from_processes += [number for _s, number, _r in results]
    finally:
        second_server.should_exit = True
        second_thread.join(10)

    issued = from_threads + from_processes
    total = THREADS * PER_THREAD + PROCESSES * PER_PROCESS
    assert len(issued) == total and len(set(issued)) == total, "duplicate numbers"
    assert sorted(issued) == [f"A{n:03d}" for n in range(1, total + 1)], "gaps in numbering"
    waiting = {t["number"] for t in site.staff.get("/api/v1/staff/queue", params={"service": "A"}).json()}
    assert voided and waiting == set(issued) - voided


def test_counters_calling_at_once_never_call_the_same_ticket(site):
    issued = {site.ticket("A")["reference"] for _ in range(24)}

    def counter(number: str) -> list[str]:
        client = Client(site.url, site.staff_token)
        called = []
        while True:
            response = client.post(f"/api/v1/staff/counters/{number}/call-next")
            if response.status_code == 404:
                break
            assert response.status_code == 200, response.text
            called.append(response.json()["reference"])
        client.close()
        return called

    with ThreadPoolExecutor(4) as pool:
        calls = [r for refs in pool.map(counter, ["1", "2", "1", "2"]) for r in refs]
    assert len(calls) == len(set(calls)) == 24
    assert set(calls) == issued


def test_racing_repeats_of_one_key_draw_one_number(site):
    key = str(uuid.uuid4())

    def send(_):
        client = Client(site.url, site.kiosk_token)
        response = client.post("/api/v1/tickets", {"service": "B", "priority": False}, key=key)
        client.close()
        return response.status_code, response.json().get("reference"), response.json().get("number")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, range(8)))
    assert {status for status, _r, _n in results} == {201}
    assert len({reference for _s, reference, _n in results}) == 1
    assert {number for _s, _r, number in results} == {"B001"}
    assert site.ticket("B")["number"] == "B002"
