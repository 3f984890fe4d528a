"""Staff sign-in for the counter page: a staff token is exchanged once for a session cookie.

The cookie (``motcua_staff``) is HttpOnly, SameSite=Strict, Secure on HTTPS, lasts one working day and
reads ``<staff id>.<expires>.<nonce>.<signature>``. The signature is an HMAC under the service's secret
(``central.server_key``) that also covers the staff member's current token hash, so giving them a new
token (``kiosk central add-staff NAME --rotate``) or deactivating them ends their sessions at once.

Writes made with the cookie must carry the session's CSRF token in ``X-CSRF-Token`` (the page gets it
from ``GET /counter/api/session``) and must not come from another site (``Sec-Fetch-Site``). The bearer
staff API under ``/api/v1/staff`` is unchanged and needs no cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from central import server_key
from central.auth import Principal
from central.errors import ApiError, request_language
from central.idempotency import KEY_PATTERN, Write
from central.models import StaffUser
from kiosk.i18n import N_, translate

COOKIE = "motcua_staff"
CSRF_HEADER = "x-csrf-token"
LIFETIME_S = 12 * 3600
CACHE_S = 10.0

MESSAGES = {
    "login_failed": N_("This is not a valid staff access token."),
    "login_required": N_("Please sign in again on the counter page."),
    "csrf_failed": N_("The page is out of date. Reload it and try again."),
    "unknown_center": N_("There is no center {center}."),
    "board_unavailable": N_("The lobby board cannot be read right now; try again shortly."),
    "unknown_call": N_("Ticket {number} has not been called at counter {counter} today."),
    "speech_unavailable": N_("The call cannot be spoken right now; the chime still plays."),
    "no_owner": N_("This ticket was taken without an ID card, so no dossiers are linked to it."),
}


class Refusal(Exception):
    """A refusal of the counter and lobby pages: ``status``, a code from ``MESSAGES`` and its values."""

    def __init__(self, status: int, code: str, /, **values):
        super().__init__(code)
        self.status = status
        self.code = code
        self.values = values


def refusal_response(request: Request, err: Refusal) -> JSONResponse:
    message = translate(MESSAGES[err.code], request_language(request), **err.values)
    headers = {"Cache-Control": "no-store"}
    return JSONResponse({"error": err.code, "message": message}, status_code=err.status, headers=headers)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Sessions:
    def __init__(self, central, cache_s: float = CACHE_S):
        self.central = central
        #: Seconds a checked cookie is trusted without asking the database again.
        self.cache_s = cache_s
        self._cache: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def _sign(self, staff_id: int, expires: int, nonce: str, token_hash: str) -> str:
        key = server_key.key_for(self.central.settings, "staff-session")
        message = f"{staff_id}.{expires}.{nonce}.{token_hash}".encode("ascii")
        return _b64(hmac.new(key, message, hashlib.sha256).digest())

    def csrf_token(self, cookie: str) -> str:
        nonce = cookie.split(".")[2]
        key = server_key.key_for(self.central.settings, "staff-csrf")
        return _b64(hmac.new(key, nonce.encode("ascii"), hashlib.sha256).digest())

    def open(self, principal: Principal) -> str:
        """A new session cookie value for a staff member who just proved their token."""
        with self.central.db.read() as session:
            token_hash = session.scalar(select(StaffUser.token_hash).where(StaffUser.id == principal.id))
        expires = int(time.time()) + LIFETIME_S
        nonce = secrets.token_urlsafe(16)
        return f"{principal.id}.{expires}.{nonce}.{self._sign(principal.id, expires, nonce, token_hash)}"

    def check(self, cookie: str) -> Principal | None:
        """The staff member of a valid, unexpired session cookie, else None."""
        now = time.monotonic()
        hit = self._cache.get(cookie)
        if hit and hit[1] > now:
            return hit[0]
        parts = cookie.split(".")
        if len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit() or len(cookie) > 200:
            return None
        staff_id, expires, nonce, signature = int(parts[0]), int(parts[1]), parts[2], parts[3]
        if expires < time.time():
            return None
        with self.central.db.read() as session:
            row = session.execute(select(StaffUser.name, StaffUser.center_code, StaffUser.token_hash).where(
                StaffUser.id == staff_id, StaffUser.active)).first()
        if row is None:
            return None
        if not hmac.compare_digest(self._sign(staff_id, expires, nonce, row.token_hash), signature):
            return None
        principal = Principal(kind="staff", id=staff_id, name=row.name, center_code=row.center_code)
        with self._lock:
            if len(self._cache) > 1000:
                self._cache.clear()
            self._cache[cookie] = (principal, now + self.cache_s)
        return principal

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()


def set_cookie(response, request: Request, value: str) -> None:
    response.set_cookie(COOKIE, value, max_age=LIFETIME_S, path="/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def clear_cookie(response, request: Request) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")


async def staff(request: Request) -> Principal:
    """The signed-in staff member of the request's session cookie; 401 ``login_required`` otherwise."""
    cookie = request.cookies.get(COOKIE, "")
    sessions: Sessions = request.app.state.staff_sessions
    principal = await run_in_threadpool(sessions.check, cookie) if cookie else None
    if principal is None:
        raise Refusal(401, "login_required")
    return principal


def check_same_site(request: Request) -> None:
    """Refuse requests a browser says come from another site (older browsers send no such header)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise Refusal(403, "csrf_failed")


def check_csrf(request: Request) -> None:
    check_same_site(request)
    sent = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(COOKIE, "")
    expected = request.app.state.staff_sessions.csrf_token(cookie) if cookie.count(".") == 3 else ""
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise Refusal(403, "csrf_failed")


async def staff_write(request: Request, principal: Principal = Depends(staff)) -> Write:
    """A cookie-authenticated write: CSRF-checked and idempotent like the bearer staff API."""
    check_csrf(request)
    key = request.headers.get("idempotency-key")
    if key is None:
        raise ApiError(400, "idempotency_key_required")
    if not KEY_PATTERN.match(key):
        raise ApiError(400, "idempotency_key_invalid")
    return Write(principal, key, request.method, request.url.path, getattr(request.state, "body_sha256", ""))
