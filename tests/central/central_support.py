"""Helpers for the central-service tests: a running service, HTTP clients with tokens, test centers.

Kept apart from ``conftest.py`` so tests can import them by a name no other test directory uses.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

from central import accounts, catalog, embedded
from central.db import Database
from central.settings import Clock, Settings

_centers = itertools.count(1)


@dataclass
class Running:
    backend: str
    url: str
    settings: Settings
    clock: Clock
    db: Database
    app: object
    server: object
    thread: object

    def stop(self):
        self.server.should_exit = True
        self.thread.join(10)


def start_service(backend: str, db_url: str, data_dir: Path, **overrides) -> Running:
    clock = Clock()
    settings = Settings(data_dir=data_dir, db_url=db_url, now=clock, wait_cache_s=0, **overrides)
    embedded.prepare(settings)
    server, thread, url, app = embedded.serve_in_thread(settings)
    return Running(backend, url, settings, clock, Database(db_url), app, server, thread)


def http_client(**kwargs) -> httpx.Client:
    """A plain-HTTP loopback client (no TLS context: building one costs a quarter second)."""
    return httpx.Client(timeout=30, verify=False, **kwargs)


class Client:
    """An HTTP client with a bearer token that puts a fresh Idempotency-Key on every write."""

    def __init__(self, base_url: str, token: str | None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = http_client(base_url=base_url, headers=headers)

    def get(self, path, **kwargs):
        return self.http.get(path, **kwargs)

    def post(self, path, json=None, *, key: str | None = None, **kwargs):
        headers = {"Idempotency-Key": key or str(uuid.uuid4()), **kwargs.pop("headers", {})}
        return self.http.post(path, json=json, headers=headers, **kwargs)

    def put(self, path, content=None, *, key: str | None = None, **kwargs):
        headers = {"Idempotency-Key": key or str(uuid.uuid4()), **kwargs.pop("headers", {})}
        return self.http.put(path, content=content, headers=headers, **kwargs)

    def close(self):
        self.http.close()


@dataclass
class Site:
    """One center on the running service, with a kiosk and a staff member."""

    code: str
    service: Running
    kiosk: Client
    staff: Client
    kiosk_token: str
    staff_token: str

    @property
    def url(self) -> str:
        return self.service.url

    @property
    def clock(self) -> Clock:
        return self.service.clock

    def ticket(self, service: str = "A", priority: bool = False) -> dict:
        response = self.kiosk.post("/api/v1/tickets", {"service": service, "priority": priority})
        assert response.status_code == 201, response.text
        return response.json()

    def another_kiosk(self, name: str) -> Client:
        token = accounts.add_account(self.service.db, "kiosk", f"{self.code}-{name}", self.code)
        return Client(self.url, token)


def new_site(service: Running) -> Site:
    code = f"T{next(_centers):04d}"
    with service.db.write() as session:
        catalog.ensure_center(session, code, f"Test center {code}")
    kiosk_token = accounts.add_account(service.db, "kiosk", f"{code}-kiosk", code)
    staff_token = accounts.add_account(service.db, "staff", f"{code}-staff", code)
    return Site(code, service, Client(service.url, kiosk_token), Client(service.url, staff_token),
                kiosk_token, staff_token)
