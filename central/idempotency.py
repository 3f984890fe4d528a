"""Exactly-once writes: the first response to an ``Idempotency-Key`` is the answer to every repeat.

The key is stored in the same transaction as the change it guards, so a write and its key commit
together or not at all: a crash between them cannot leave a ticket whose key is unknown (a retry
would draw a second number). Two requests with the same key racing each other both try; the loser's
insert of the key fails, its transaction (including any number it drew) rolls back, and it answers
with the winner's stored response. Only successful (2xx) responses are stored; a refusal is
re-evaluated when repeated.

A key is bound to the caller, the method, the path and the SHA-256 of the body: the same key with
anything else is 422 ``idempotency_key_reused``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Callable

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import bindparam, delete, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central import auth
from central.errors import ApiError
from central.models import IdempotentResponse, UtcDateTime

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,128}$")
REPLAY_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class Write:
    """One authenticated write request and the key that makes it idempotent."""

    principal: auth.Principal
    key: str
    method: str
    path: str
    body_sha256: str


def _write(request: Request, principal: auth.Principal) -> Write:
    key = request.headers.get("idempotency-key")
    if key is None:
        raise ApiError(400, "idempotency_key_required")
    if not KEY_PATTERN.match(key):
        raise ApiError(400, "idempotency_key_invalid")
    digest = getattr(request.state, "body_sha256", "")
    return Write(principal, key, request.method, request.url.path, digest)


async def kiosk_write(request: Request, principal: auth.Principal = Depends(auth.kiosk)) -> Write:
    return _write(request, principal)


async def staff_write(request: Request, principal: auth.Principal = Depends(auth.staff)) -> Write:
    return _write(request, principal)


class _KeyTaken(Exception):
    pass


def _json(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_FIND = text("SELECT principal, method, path, body_sha256, status, body FROM idempotency_keys WHERE key = :key")
_STORE = text("""
INSERT INTO idempotency_keys (key, principal, method, path, body_sha256, status, body, created_at)
VALUES (:key, :principal, :method, :path, :body_sha256, :status, :body, :created_at)
""").bindparams(bindparam("created_at", type_=UtcDateTime()))


def _replay(stored, write: Write) -> Response:
    same = (
        stored.principal == write.principal.key
        and stored.method == write.method
        and stored.path == write.path
        and stored.body_sha256 == write.body_sha256
    )
    if not same:
        raise ApiError(422, "idempotency_key_reused")
    return Response(stored.body.encode("utf-8"), status_code=stored.status, media_type="application/json",
                    headers={REPLAY_HEADER: "true"})


def run_once(central, write: Write, work: Callable[[Session], object], status: int = 201) -> Response:
    """Run ``work`` (which returns the JSON-ready answer) once per key, in one transaction."""
    try:
        with central.db.write() as session:
            stored = session.execute(_FIND, {"key": write.key}).first()
            if stored is not None:
                return _replay(stored, write)
            result = work(session)
            session.flush()
            body = _json(result)
            try:
                session.execute(_STORE, {
                    "key": write.key, "principal": write.principal.key, "method": write.method,
                    "path": write.path, "body_sha256": write.body_sha256, "status": status,
                    "body": body.decode("utf-8"), "created_at": central.settings.now()})
            except IntegrityError:
                raise _KeyTaken() from None
    except _KeyTaken:
        with central.db.read() as session:
            stored = session.execute(_FIND, {"key": write.key}).first()
            if stored is None:
                raise ApiError(409, "request_conflict", headers={"Retry-After": "1"}) from None
            return _replay(stored, write)
    return Response(body, status_code=status, media_type="application/json")


def purge(central, older_than: dt.timedelta) -> int:
    """Forget keys older than ``older_than``; returns how many were removed."""
    cutoff = central.settings.now() - older_than
    with central.db.write() as session:
        result = session.execute(delete(IdempotentResponse).where(IdempotentResponse.created_at < cutoff))
        return result.rowcount or 0
