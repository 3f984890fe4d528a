"""Helpers for the counter and lobby tests: the real central service on loopback (SQLite), one center
per test with a kiosk and a staff token, and HTTP clients that put an Idempotency-Key on every write.

Named so no other test directory has a module of the same name.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from central import accounts, catalog, embedded
from central.db import Database
from central.settings import Clock, Settings

_centers = itertools.count(1)


def http(base_url: str, **kwargs) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=30, verify=False, **kwargs)


class Bearer:
    """A client with a bearer token; every write gets a fresh Idempotency-Key unless given one."""

    def __init__(self, base_url: str, token: str):
        self.http = http(base_url, headers={"Authorization": f"Bearer {token}"})

    def get(self, path, **kwargs):
        return self.http.get(path, **kwargs)

    def post(self, path, json=None, *, key: str | None = None, **kwargs):
        headers = {"Idempotency-Key": key or str(uuid.uuid4()), **kwargs.pop("headers", {})}
        return self.http.post(path, json=json, headers=headers, **kwargs)

    def close(self):
        self.http.close()


@dataclass
class Service:
    """The central service running in this process; ``stop`` and ``start`` keep its port and database."""

    settings: Settings
    clock: Clock
    db: Database
    port: int = 0
    url: str = ""
    app: object = None
    server: object = field(default=None, repr=False)
    thread: object = field(default=None, repr=False)

    def start(self) -> "Service":
        self.server, self.thread, self.url, self.app = embedded.serve_in_thread(self.settings, port=self.port)
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    def stop(self) -> None:
        if self.server is None:
            return
        self.app.state.lobby.close()
        self.server.should_exit = True
        self.thread.join(15)
        assert not self.thread.is_alive(), "the central service did not stop"
        self.server = None


def start_service(data_dir: Path) -> Service:
    clock = Clock()
    settings = Settings(data_dir=data_dir, now=clock, wait_cache_s=0)
    embedded.prepare(settings)
    return Service(settings, clock, Database(settings.db_url)).start()


@dataclass
class Site:
    """One center of the running service, with a kiosk and a staff member."""

    code: str
    service: Service
    kiosk_token: str
    staff_token: str
    kiosk: Bearer
    staff: Bearer

    @property
    def url(self) -> str:
        return self.service.url

    def ticket(self, service: str = "A", priority: bool = False, owner: str | None = None) -> dict:
        body = {"service": service, "priority": priority}
        if owner:
            body["owner_id_number"] = owner
        response = self.kiosk.post("/api/v1/tickets", body)
        assert response.status_code == 201, response.text
        return response.json()

    def call_next(self, counter: str) -> dict:
        response = self.staff.post(f"/api/v1/staff/counters/{counter}/call-next")
        assert response.status_code == 200, response.text
        return response.json()

    def close(self) -> None:
        self.kiosk.close()
        self.staff.close()


def new_site(service: Service) -> Site:
    code = f"Q{next(_centers):04d}"
    with service.db.write() as session:
        catalog.ensure_center(session, code, f"Trung tâm thử {code}")
    kiosk_token = accounts.add_account(service.db, "kiosk", f"{code}-kiosk", code)
    staff_token = accounts.add_account(service.db, "staff", f"{code}-staff", code)
    return Site(code, service, kiosk_token, staff_token, Bearer(service.url, kiosk_token),
                Bearer(service.url, staff_token))
