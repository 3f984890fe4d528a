"""Kiosk and staff credentials: bearer tokens, stored only as SHA-256 hashes.

A request without a usable token gets 401 ``unauthorized``; a kiosk token on a staff route gets 403
``staff_only`` and a staff token on a kiosk route 403 ``kiosk_only``. Successful look-ups are kept
for ``auth_cache_s`` seconds per process so issuing a ticket does not cost a token query each time.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from sqlalchemy import select

from central.errors import ApiError
from central.models import Kiosk, StaffUser

PREFIXES = {"kiosk": "mck_", "staff": "mcs_"}


def new_token(kind: str) -> str:
    return PREFIXES[kind] + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    kind: str  # "kiosk" or "staff"
    id: int
    name: str
    center_code: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


class Authenticator:
    def __init__(self, db, cache_seconds: float):
        self.db = db
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def cached(self, token: str) -> Principal | None:
        hit = self._cache.get(hash_token(token))
        return hit[0] if hit and hit[1] > time.monotonic() else None

    def lookup(self, token: str) -> Principal | None:
        hit = self.cached(token)
        if hit is not None:
            return hit
        digest = hash_token(token)
        now = time.monotonic()
        principal = self._query(token, digest)
        if principal is not None and self.cache_seconds > 0:
            with self._lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[digest] = (principal, now + self.cache_seconds)
        return principal

    def _query(self, token: str, digest: str) -> Principal | None:
        if token.startswith(PREFIXES["kiosk"]):
            model, kind = Kiosk, "kiosk"
        elif token.startswith(PREFIXES["staff"]):
            model, kind = StaffUser, "staff"
        else:
            return None
        with self.db.read() as session:
            row = session.execute(
                select(model.id, model.name, model.center_code).where(model.token_hash == digest, model.active)
            ).first()
        if row is None:
            return None
        return Principal(kind=kind, id=row.id, name=row.name, center_code=row.center_code)

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()


UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "Bearer"}


async def authenticate(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise ApiError(401, "unauthorized", headers=UNAUTHORIZED_HEADERS)
    auth = request.app.state.central.auth
    principal = auth.cached(token) or await run_in_threadpool(auth.lookup, token)
    if principal is None:
        raise ApiError(401, "unauthorized", headers=UNAUTHORIZED_HEADERS)
    return principal


async def kiosk(request: Request) -> Principal:
    principal = await authenticate(request)
    if principal.kind != "kiosk":
        raise ApiError(403, "kiosk_only")
    return principal


async def staff(request: Request) -> Principal:
    principal = await authenticate(request)
    if principal.kind != "staff":
        raise ApiError(403, "staff_only")
    return principal


async def anyone(request: Request) -> Principal:
    return await authenticate(request)
