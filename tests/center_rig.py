"""The real central service on loopback for tests: ``central.embedded`` on SQLite in a test folder.

``LiveCenter`` can be stopped and started again on the same port (a power cut at the center, the
network gone), adds kiosk accounts, and asks what staff would ask over the real staff API. The
rigs of each area (tickets, dossiers) add their own questions on top.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import requests

from central import accounts, db, embedded
from central.settings import Settings


class LiveCenter:
    def __init__(self, data_dir: Path, *, kiosk_name: str = "embedded-kiosk", **settings):
        """``settings``: ``central.settings.Settings`` fields besides the data folder (``lookup_limit``…)."""
        self.service = embedded.start(settings=Settings(data_dir=Path(data_dir), **settings), kiosk_name=kiosk_name)
        self.settings = self.service.settings
        self.url = self.service.url
        self.port = int(self.url.rsplit(":", 1)[1])
        self.kiosk_token = self.service.kiosk_token
        self.staff_token = self.service.staff_token

    @property
    def running(self) -> bool:
        return self.service.running

    def stop(self) -> None:
        self.service.stop(timeout=15)

    def start(self) -> None:
        """Serve again on the same port and database (no new tokens, unlike ``embedded.start``)."""
        self.service.start_again()

    def close(self) -> None:
        self.stop()

    def add_kiosk(self, name: str) -> str:
        database = db.Database(self.settings.db_url)
        try:
            return accounts.add_account(database, "kiosk", name, self.settings.default_center)
        finally:
            database.dispose()

    def staff(self, path: str, method: str = "GET", **kwargs):
        """``/api/v1/staff<path>`` with the staff token; the answer's JSON (an HTTP error raises)."""
        headers = {"Authorization": f"Bearer {self.staff_token}"}
        if method != "GET":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        response = requests.request(method, f"{self.url}/api/v1/staff{path}", headers=headers, timeout=10, **kwargs)
        response.raise_for_status()
        return response.json()

    def alerts(self) -> list[dict]:
        return self.staff("/alerts")
