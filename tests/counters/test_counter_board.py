"""The lobby board over HTTP: what it shows, its live stream, and that it never looks live when stale."""

from __future__ import annotations

import json
import queue
import threading

import httpx
from sqlalchemy import create_engine

from counters_support import http


def board(site) -> dict:
    response = http(site.url).get(f"/board/{site.code}")
    assert response.status_code == 200, response.text
    return response.json()


def test_board_shows_numbers_at_counters_last_calls_and_waiting_counts(site):
    for service in "AAAB":
        site.ticket(service)
    first = site.call_next("1")
    second = site.call_next("2")
    shown = board(site)
    counters = {c["number"]: c for c in shown["counters"]}
    assert counters["1"]["ticket"]["number"] == first["number"] == "A001"
    assert counters["2"]["ticket"]["number"] == "A002"
    assert counters["3"]["ticket"] is None and counters["3"]["services"] == ["B"]
    assert [c["number"] for c in shown["calls"]] == ["A002", "A001"]
    waiting = {w["service"]: w["count"] for w in shown["waiting"]}
    assert waiting["A"] == 1 and waiting["B"] == 1 and waiting["C"] == 0
    assert shown["fresh"] is True and shown["center"]["code"] == site.code
    assert "reference" not in json.dumps(shown) and second["reference"] not in json.dumps(shown)


def test_recall_is_a_new_call_and_serving_frees_the_counter(site):
    site.ticket("B")
    called = site.call_next("3")
    before = board(site)["calls"][0]
    assert site.staff.post(f"/api/v1/staff/tickets/{called['reference']}/recall").status_code == 200
    after = board(site)["calls"]
    assert after[0]["number"] == "B001" and after[0]["recall"] is True and after[0]["id"] != before["id"]
    assert len(after) == 1  # the recall replaces the first call in the list
    assert site.staff.post(f"/api/v1/staff/tickets/{called['reference']}/served").status_code == 200
    done = board(site)
    assert {c["number"]: c["ticket"] for c in done["counters"]}["3"] is None
    assert done["calls"][0]["number"] == "B001"  # still among the last calls


def test_a_ticket_called_again_after_a_transfer_is_announced_again(site):
    site.ticket("A")
    called = site.call_next("1")
    first_id = board(site)["calls"][0]["id"]
    moved = site.staff.post(f"/api/v1/staff/tickets/{called['reference']}/transfer", {"service": "C"})
    assert moved.status_code == 200
    assert board(site)["calls"] == []
    again = site.call_next("4")
    assert again["number"] == "A001"
    call = board(site)["calls"][0]
    assert call["counter"] == "4" and call["id"] != first_id


def test_unknown_center_and_bad_codes_are_refused_clearly(site):
    client = http(site.url, headers={"Accept-Language": "vi"})
    missing = client.get("/board/NOWHERE")
    assert missing.status_code == 404
    assert missing.json() == {"error": "unknown_center", "message": "Không có trung tâm NOWHERE."}
    assert client.get("/board/NOWHERE/events").status_code == 404
    assert client.get("/board/bad%20code").status_code == 422


class Listener:
    """Reads a board's event stream in a thread; events land in ``events`` as (name, data)."""

    def __init__(self, url: str):
        self.events: queue.Queue = queue.Queue()
        self.status = None
        self.thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self.thread.start()

    def _run(self, url):
        name = None
        try:
            with httpx.stream("GET", url, timeout=httpx.Timeout(30, read=30)) as response:
                self.status = response.status_code
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        name = line[7:]
                    elif line.startswith("data: "):
                        self.events.put((name, json.loads(line[6:])))
        except httpx.HTTPError:
            pass
        self.events.put(("closed", None))

    def next(self, *names, timeout=10):
        while True:
            name, data = self.events.get(timeout=timeout)
            if name in names or name == "closed":
                return name, data


def test_stream_starts_with_the_board_then_sends_changes_and_pings(site, lobby_service):
    hub = lobby_service.app.state.lobby
    hub.ping_s = 0.3
    try:
        listener = Listener(f"{site.url}/board/{site.code}/events")
        name, first = listener.next("state")
        assert name == "state" and first["calls"] == [] and listener.status == 200
        site.ticket("D")
        site.call_next("5")
        name, changed = listener.next("state")
        while name == "state" and not changed["calls"]:  # the new ticket's waiting count may come first
            name, changed = listener.next("state")
        assert changed["calls"][0]["number"] == "D001" and changed["version"] > first["version"]
        name, ping = listener.next("ping")
        assert name == "ping" and ping["fresh"] is True and ping["now"]
    finally:
        hub.ping_s = 3.0


def test_stream_says_bye_so_the_display_reconnects_at_once(site, lobby_service):
    hub = lobby_service.app.state.lobby
    hub.stream_max_s = 0.5
    try:
        listener = Listener(f"{site.url}/board/{site.code}/events")
        assert listener.next("state")[0] == "state"
        assert listener.next("bye")[0] == "bye"
        assert listener.next("closed")[0] == "closed"
    finally:
        hub.stream_max_s = 60.0


def test_pings_say_stale_while_the_database_does_not_answer(site, lobby_service, tmp_path):
    """GIVEN a display listening WHEN the database stops answering THEN pings carry fresh=false,
    and once it answers again the board is fresh."""
    hub = lobby_service.app.state.lobby
    database = lobby_service.app.state.central.db
    hub.ping_s, hub.stale_s, hub.poll_s = 0.2, 0.6, 0.1
    working = database.engine
    listener = Listener(f"{site.url}/board/{site.code}/events")
    try:
        assert listener.next("state")[0] == "state"
        database.engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'central.db'}")
        name, ping = listener.next("ping")
        while ping["fresh"]:
            name, ping = listener.next("ping")
        assert ping["fresh"] is False
        database.engine = working
        name, ping = listener.next("ping", "state")
        while not ping["fresh"]:
            name, ping = listener.next("ping", "state")
        assert ping["fresh"] is True
    finally:
        database.engine = working
        hub.ping_s, hub.stale_s, hub.poll_s = 3.0, 6.0, 1.0
