"""Invented citizens and the real central service on loopback, for the lookup, pickup and rating screens.

``Center`` runs ``central.embedded`` on SQLite in a folder (stoppable and served again on the same port
with the same tokens). Dossiers are made the way the real ones are: submitted with the kiosk's token,
then moved on by staff with the staff token (``ready`` puts the result in a compartment of a kiosk's
locker). What staff see of a dossier and the ratings the center keeps are read back for the checks.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import select, update

from center_rig import LiveCenter
from central.db import Database
from central.models import RateWindow, Rating

#: The name this kiosk has at the central service, and in its own config.
KIOSK_NAME = "lookup-kiosk"
#: A procedure with a result to collect (land, service C).
PROCEDURE = "DD-BD"

# Invented people; their ID numbers agree with sex and birth year.
OWNER_NAME = "Đỗ Thị Thanh Hương"
OWNER_ID = "001185023456"
OWNER_PAYLOAD = f"{OWNER_ID}||{OWNER_NAME}|09081985|Nữ|Thôn Đông, xã Hợp Thịnh, tỉnh Bắc Ninh|20042021"
STRANGER_NAME = "Vũ Minh Khang"
STRANGER_ID = "027092007788"
STRANGER_PAYLOAD = f"{STRANGER_ID}||{STRANGER_NAME}|17031992|Nam|Xóm Chùa, xã Hợp Thịnh, tỉnh Bắc Ninh|02022022"


class Center(LiveCenter):
    """The central service on loopback (look-ups not rate-limited away), its kiosk account named
    ``KIOSK_NAME``, and its database to look into."""

    def __init__(self, data_dir: Path):
        super().__init__(data_dir, kiosk_name=KIOSK_NAME, lookup_limit=1000)
        self.db = Database(self.settings.db_url)

    def close(self) -> None:
        super().close()
        self.db.dispose()

    # --- HTTP as the kiosk and as staff ----------------------------------------------------------

    def _call(self, method: str, path: str, token: str, body: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {token}"}
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        answer = requests.request(method, self.url + path, json=body, headers=headers, timeout=10)
        assert answer.status_code in (200, 201), f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json()

    def submit(self, id_number: str = OWNER_ID, name: str = OWNER_NAME, procedure: str = PROCEDURE) -> str:
        """A dossier submitted as a kiosk would; its code."""
        body = {"procedure": procedure, "owner": {"id_number": id_number, "full_name": name}, "form": {}}
        return self._call("POST", "/api/v1/dossiers", self.kiosk_token, body)["code"]

    def move(self, code: str, status: str, message: str = "", locker: dict | None = None) -> dict:
        body = {"status": status, "message": message}
        if locker is not None:
            body["locker"] = locker
        return self._call("POST", f"/api/v1/staff/dossiers/{code}/status", self.staff_token, body)

    def ready(self, code: str, compartment: str | None = None, message: str = "") -> dict:
        """Staff mark the result ready: in ``compartment`` of this kiosk's locker, or at the counter."""
        self.move(code, "processing")
        locker = {"kiosk": KIOSK_NAME, "compartment": compartment} if compartment else None
        return self.move(code, "ready_for_pickup", message, locker)

    def dossier(self, code: str) -> dict:
        """The dossier as staff see it."""
        return self._call("GET", f"/api/v1/staff/dossiers/{code}", self.staff_token)

    def alerts(self) -> list[dict]:
        return self._call("GET", "/api/v1/staff/alerts", self.staff_token)

    # --- the center's records ----------------------------------------------------------------------

    def ratings(self) -> list[dict]:
        with self.db.read() as session:
            rows = session.scalars(select(Rating).order_by(Rating.id)).all()
            return [{"score": r.score, "reasons": list(r.reasons or []), "service": r.service_code,
                     "counter": r.counter} for r in rows]

    def exhaust_lookups(self, hits: int) -> None:
        """Every look-up counter set to ``hits`` in the current window (past the limit: the next answer is 429)."""
        window = self.settings.lookup_window_s
        now = int(self.settings.now().timestamp())
        if window - now % window < 3:  # too close to the next window: wait for it
            time.sleep(window - now % window + 0.5)
            now = int(self.settings.now().timestamp())
        with self.db.write() as session:
            session.execute(update(RateWindow).values(hits=hits, window_start=now - now % window))
