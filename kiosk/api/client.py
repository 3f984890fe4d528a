"""The kiosk's HTTP client for the central service (the kiosk ↔ central contract).

Every call has connect and read timeouts from config and raises only the tree in ``kiosk.api.errors``.
Every write carries an ``Idempotency-Key``: callers that may repeat a write (the outbox) pass the key
they stored with the job; otherwise a fresh one is made. A read is repeated once when its connection
broke, never a write: repeating a write is the caller's decision, always with the same key.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from kiosk import __version__
from kiosk.api.errors import (
    BadAnswer,
    CentralError,
    CentralTimeout,
    CentralUnreachable,
    ConnectionDropped,
    ServerError,
    rejected_for,
)

log = logging.getLogger(__name__)

#: Called after every request: ``(True, None)`` when the service answered (even with a 4xx),
#: ``(False, error)`` when it could not be reached or failed (5xx).
Observer = Callable[[bool, CentralError | None], None]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_RETRY_AFTER_S = 3600.0


def new_key() -> str:
    return str(uuid.uuid4())


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), capped at an hour."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _segment(value: str) -> str:
    return quote(str(value), safe="")


class CentralClient:
    """Talks to one central service as one kiosk."""

    def __init__(
        self,
        url: str,
        token: str = "",
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        read_retries: int = 1,
        observer: Observer | None = None,
    ):
        self.url = url.rstrip("/")
        self.token = token
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.read_retries = read_retries
        self.observers: list[Observer] = [observer] if observer else []
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    # --- plumbing ---------------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = f"motcua-kiosk/{__version__}"
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()

    def _notify(self, ok: bool, error: CentralError | None) -> None:
        for observer in list(self.observers):
            try:
                observer(ok, error)
            except Exception:  # an observer must never break a request
                log.exception("central client observer failed")

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        idempotency_key: str | None = None,
        timeout: float | tuple[float, float] | None = None,
        auth: bool = True,
    ) -> Any:
        """Send one request and return the decoded JSON answer (``None`` for an empty body)."""
        method = method.upper()
        attempts = 1 + (self.read_retries if method == "GET" else 0)
        for attempt in range(attempts):
            try:
                return self._once(method, path, json, data, headers, idempotency_key, timeout, auth)
            except ConnectionDropped:  # e.g. a kept-alive connection the service closed
                if attempt + 1 >= attempts:
                    raise
                time.sleep(0.2)
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, method, path, json, data, headers, idempotency_key, timeout, auth) -> Any:
        send_headers = {"Accept": "application/json"}
        if auth and self.token:
            send_headers["Authorization"] = f"Bearer {self.token}"
        if method in WRITE_METHODS:
            send_headers["Idempotency-Key"] = idempotency_key or new_key()
        send_headers.update(headers or {})
        if timeout is None:
            timeout = (self.connect_timeout, self.read_timeout)
        url = f"{self.url}{path}"
        try:
            response = self._session().request(
                method, url, json=json, data=data, headers=send_headers, timeout=timeout
            )
        except requests.exceptions.RequestException as err:
            error = _translate(err, self.url)
            log.debug("%s %s failed: %s", method, path, error)
            self._notify(False, error)
            raise error from err
        log.debug("%s %s -> %s", method, path, response.status_code)
        try:
            return self._answer(method, path, response)
        finally:
            response.close()

    def _answer(self, method: str, path: str, response: requests.Response) -> Any:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        body = _json_or_none(response)
        if status >= 500:
            code, _message = _error_fields(body, status)
            error = ServerError(status, f"central service error {status} on {method} {path}: {code}", retry_after)
            self._notify(False, error)
            raise error
        self._notify(True, None)
        if status >= 400:
            code, message = _error_fields(body, status)
            raise rejected_for(status, code, message, retry_after, body if isinstance(body, dict) else {})
        if status == 204 or not response.content:
            return None
        if body is None:
            raise BadAnswer(f"central service answered {method} {path} with {status} but not JSON")
        return body

    def _get(self, path: str, **kw) -> Any:
        return self.request("GET", path, **kw)

    def _post(self, path: str, body: Any, key: str | None, **kw) -> Any:
        return self.request("POST", path, json=body, idempotency_key=key, **kw)

    # --- the contract -----------------------------------------------------------------------------

    def health(self, timeout: float | None = None) -> bool:
        """``True`` when the service and its database answer; raises ``CentralError`` otherwise."""
        limit = (self.connect_timeout, self.read_timeout) if timeout is None else (timeout, timeout)
        answer = self.request("GET", "/health", auth=False, timeout=limit)
        return isinstance(answer, dict) and answer.get("status") == "ok"

    def services(self) -> list[dict]:
        return _expect_list(self._get("/api/v1/services"), "services")

    @staticmethod
    def ticket_body(service: str, priority: bool = False, offline_number: str | None = None,
                    issued_at: str | None = None) -> dict:
        body: dict[str, Any] = {"service": service, "priority": bool(priority)}
        if offline_number:
            body["offline_number"] = offline_number
            body["issued_at"] = issued_at
        return body

    def issue_ticket(self, body: dict, key: str, timeout: float | tuple[float, float] | None = None) -> dict:
        """``POST /api/v1/tickets`` with a body from ``ticket_body``."""
        return _expect_dict(self._post("/api/v1/tickets", body, key, timeout=timeout), "ticket", "number")

    def ticket(self, reference: str) -> dict:
        return _expect_dict(self._get(f"/api/v1/tickets/{_segment(reference)}"), "ticket", "number")

    def void_ticket(self, reference: str, reason: str, key: str) -> dict:
        path = f"/api/v1/tickets/{_segment(reference)}/void"
        return _expect_dict(self._post(path, {"reason": reason}, key), "ticket")

    def reprint_ticket(self, reference: str, key: str) -> dict:
        path = f"/api/v1/tickets/{_segment(reference)}/reprint"
        return _expect_dict(self._post(path, {}, key), "ticket")

    def procedures(self, field: str | None = None, q: str | None = None) -> list[dict]:
        params = {k: v for k, v in (("field", field), ("q", q)) if v}
        query = ("?" + "&".join(f"{k}={quote(v)}" for k, v in params.items())) if params else ""
        return _expect_list(self._get(f"/api/v1/procedures{query}"), "procedures")

    def procedure(self, code: str) -> dict:
        return _expect_dict(self._get(f"/api/v1/procedures/{_segment(code)}"), "procedure")

    def start_upload(self, filename: str, size: int, sha256: str, key: str,
                     content_type: str = "application/pdf") -> dict:
        body = {"filename": filename, "content_type": content_type, "size": size, "sha256": sha256}
        return _expect_dict(self._post("/api/v1/uploads", body, key), "upload", "upload_id")

    def put_chunk(self, upload_id: str, start: int, chunk: bytes, total: int, key: str) -> int:
        """Send ``chunk`` at byte ``start``; returns the bytes the service now holds."""
        end = start + len(chunk) - 1
        headers = {"Content-Range": f"bytes {start}-{end}/{total}", "Content-Type": "application/octet-stream"}
        answer = self.request("PUT", f"/api/v1/uploads/{_segment(upload_id)}", data=chunk,
                              headers=headers, idempotency_key=key)
        return _received(answer)

    def upload_status(self, upload_id: str) -> int:
        return _received(self._get(f"/api/v1/uploads/{_segment(upload_id)}"))

    def complete_upload(self, upload_id: str, key: str) -> dict:
        path = f"/api/v1/uploads/{_segment(upload_id)}/complete"
        return _expect_dict(self._post(path, {}, key), "upload", "document_id")

    def submit_dossier(self, body: dict, key: str) -> dict:
        return _expect_dict(self._post("/api/v1/dossiers", body, key), "dossier", "code")

    def dossier(self, code: str) -> dict:
        return _expect_dict(self._get(f"/api/v1/dossiers/{_segment(code)}"), "dossier", "status")

    def dossier_details(self, code: str, id_number: str, key: str | None = None) -> dict:
        path = f"/api/v1/dossiers/{_segment(code)}/details"
        return _expect_dict(self._post(path, {"id_number": id_number}, key), "dossier", "status")

    def pickup(self, code: str, id_number: str, kiosk: str, compartment: str | None, key: str) -> dict:
        body = {"id_number": id_number, "kiosk": kiosk, "compartment": compartment}
        return _expect_dict(self._post(f"/api/v1/dossiers/{_segment(code)}/pickup", body, key), "pickup")

    def calendar(self) -> dict:
        """Today, the next working days and the office hours, to date results while offline."""
        return _expect_dict(self._get("/api/v1/calendar"), "calendar", "today", "working_days",
                            "office_close_hour", "same_day_cutoff_hour")

    def rate(self, body: dict, key: str) -> Any:
        return self._post("/api/v1/ratings", body, key)

    def heartbeat(self, body: dict, key: str) -> Any:
        return self._post("/api/v1/heartbeats", body, key)

    def alert(self, body: dict, key: str) -> Any:
        return self._post("/api/v1/alerts", body, key)


def _translate(err: requests.exceptions.RequestException, base: str) -> CentralError:
    if isinstance(err, requests.exceptions.ConnectTimeout):
        return CentralUnreachable(f"central service at {base} did not accept a connection in time")
    if isinstance(err, requests.exceptions.Timeout):
        return CentralTimeout(f"central service at {base} did not answer in time")
    if isinstance(err, requests.exceptions.ConnectionError):
        reason = err.args[0] if err.args else None
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        if isinstance(reason, NewConnectionError):
            return CentralUnreachable(f"central service at {base} is unreachable (connection refused or no route)")
        return ConnectionDropped(f"connection to the central service at {base} broke during a request")
    if isinstance(err, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
        return CentralUnreachable(f"central service URL {base} is not usable")
    return ConnectionDropped(f"request to the central service at {base} failed: {type(err).__name__}")


def _json_or_none(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _error_fields(body: Any, status: int) -> tuple[str, str]:
    if isinstance(body, dict):
        code = body.get("error")
        message = body.get("message")
        if not code and "detail" in body:
            code, message = "invalid_request", ""  # framework detail may quote the input
        if isinstance(code, str) and code:
            return code, message if isinstance(message, str) else ""
    return f"http_{status}", ""


def _expect_dict(answer: Any, what: str, *required: str) -> dict:
    if not isinstance(answer, dict) or any(k not in answer for k in required):
        missing = ", ".join(required) or "an object"
        raise BadAnswer(f"central service sent a {what} without {missing}")
    return answer


def _expect_list(answer: Any, what: str) -> list:
    if not isinstance(answer, list):
        raise BadAnswer(f"central service sent {what} that are not a list")
    return answer


def _received(answer: Any) -> int:
    received = answer.get("received") if isinstance(answer, dict) else None
    if not isinstance(received, int) or isinstance(received, bool) or received < 0:
        raise BadAnswer("central service sent an upload state without a byte count")
    return received

