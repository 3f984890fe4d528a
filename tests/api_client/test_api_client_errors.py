"""How the client translates what happens on the wire into its exception tree.

Each case runs against a real loopback socket that behaves like a broken or silent service: nothing
listening, a service that accepts and never answers, one that hangs up mid-request, one that answers
with something that is not JSON.
"""

import socket
import threading

import pytest

from kiosk.api import (
    BadAnswer,
    CentralClient,
    CentralTimeout,
    CentralUnreachable,
    ConnectionDropped,
    NotAuthorized,
    ServerError,
    TooManyRequests,
)


class RawService:
    """Accepts connections on loopback and does ``behaviour(conn)`` with each."""

    def __init__(self, behaviour):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.behaviour = behaviour
        self.requests: list[bytes] = []
        self.open: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.open.append(conn)
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        conn.settimeout(5)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
        except OSError:
            return
        self.requests.append(data)
        self.behaviour(conn)

    def close(self):
        self.sock.close()
        for conn in self.open:
            try:
                conn.close()
            except OSError:
                pass


def _reply(status_line: str, body: bytes, *headers: str):
    def behaviour(conn):
        head = [status_line, f"Content-Length: {len(body)}", "Connection: close", *headers]
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        conn.close()

    return behaviour


@pytest.fixture
def raw():
    services = []

    def make(behaviour):
        service = RawService(behaviour)
        services.append(service)
        return service

    yield make
    for service in services:
        service.close()


def _client(url, **kw):
    return CentralClient(url, "secret-token", connect_timeout=0.5, read_timeout=0.5, **kw)


def test_nothing_listening_is_unreachable_and_the_request_was_not_sent():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    seen = []
    client = _client(url, observer=lambda ok, err: seen.append((ok, type(err))))
    with pytest.raises(CentralUnreachable) as caught:
        client.issue_ticket(CentralClient.ticket_body("A"), "6d1e1c1e-0000-4000-8000-000000000001")
    assert caught.value.sent is False and caught.value.retryable
    assert seen == [(False, CentralUnreachable)]


def test_a_silent_service_times_out_and_the_write_may_have_been_done(raw):
    service = raw(lambda conn: None)  # reads the request, never answers
    client = _client(service.url)
    with pytest.raises(CentralTimeout) as caught:
        client.rate({"score": 4}, "6d1e1c1e-0000-4000-8000-000000000002")
    assert caught.value.sent is True and caught.value.retryable
    assert len(service.requests) == 1, "a write is never repeated by the client itself"


def test_reads_are_repeated_once_when_the_connection_breaks(raw):
    service = raw(lambda conn: conn.close())
    client = _client(service.url)
    with pytest.raises(ConnectionDropped):
        client.services()
    assert len(service.requests) == 2
    assert service.requests[0].startswith(b"GET /api/v1/services ")


def test_every_write_carries_an_idempotency_key_and_the_token(raw):
    service = raw(_reply("HTTP/1.1 201 Created", b'{"ok": true}'))
    client = _client(service.url)
    client.alert({"kind": "call_staff", "screen": "home", "detail": ""}, key=None)
    client.alert({"kind": "call_staff", "screen": "home", "detail": ""}, key="6d1e1c1e-0000-4000-8000-00000000000a")
    first, second = (r.decode() for r in service.requests)
    assert "Authorization: Bearer secret-token" in first
    key_line = [line for line in first.split("\r\n") if line.startswith("Idempotency-Key: ")]
    assert len(key_line) == 1 and len(key_line[0]) > len("Idempotency-Key: ") + 30
    assert "Idempotency-Key: 6d1e1c1e-0000-4000-8000-00000000000a" in second


def test_health_is_asked_without_the_token(raw):
    service = raw(_reply("HTTP/1.1 200 OK", b'{"status": "ok"}'))
    assert _client(service.url).health() is True
    assert b"Authorization" not in service.requests[0]


def test_server_errors_carry_retry_after(raw):
    body = b'{"error": "maintenance", "message": "back soon"}'
    service = raw(_reply("HTTP/1.1 503 Service Unavailable", body, "Retry-After: 42"))
    seen = []
    with pytest.raises(ServerError) as caught:
        _client(service.url, observer=lambda ok, err: seen.append(ok)).services()
    assert caught.value.status == 503 and caught.value.retry_after == 42
    assert seen == [False]


def test_refusals_carry_the_service_code_and_message(raw):
    body = b'{"error": "rate_limited", "message": "too many lookups"}'
    service = raw(_reply("HTTP/1.1 429 Too Many Requests", body, "Retry-After: 7"))
    seen = []
    with pytest.raises(TooManyRequests) as caught:
        _client(service.url, observer=lambda ok, err: seen.append(ok)).dossier("HT01-2611-000123")
    err = caught.value
    assert (err.status, err.code, err.message, err.retry_after) == (429, "rate_limited", "too many lookups", 7)
    assert err.retryable and seen == [True], "a 4xx still means the service is reachable"


def test_unauthorized_is_its_own_class_and_final(raw):
    service = raw(_reply("HTTP/1.1 401 Unauthorized", b'{"error": "unknown_kiosk", "message": ""}'))
    with pytest.raises(NotAuthorized) as caught:
        _client(service.url).services()
    assert caught.value.code == "unknown_kiosk" and not caught.value.retryable


def test_an_answer_that_is_not_json_is_a_bad_answer(raw):
    service = raw(_reply("HTTP/1.1 200 OK", b"<html>captive portal</html>"))
    with pytest.raises(BadAnswer):
        _client(service.url).services()


def test_an_answer_missing_what_the_contract_promises_is_a_bad_answer(raw):
    service = raw(_reply("HTTP/1.1 201 Created", b'{"status": "waiting"}'))
    with pytest.raises(BadAnswer, match="without number"):
        _client(service.url).issue_ticket(CentralClient.ticket_body("A"), "6d1e1c1e-0000-4000-8000-000000000003")
