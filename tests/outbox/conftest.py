"""Outbox test helpers: a sealed outbox in ``tmp_path`` and a scripted HTTP service on loopback.

The scripted service is a real HTTP server on 127.0.0.1 that answers from a script (status, headers,
JSON body) so the retry policy can be exercised with 503 + Retry-After, 422 and the like, which the
real central service gives only in situations that are hard to arrange. It records every request.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kiosk.api.client import CentralClient
from kiosk.outbox import Outbox, SecretBox


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ScriptedService:
    url: str = ""
    #: Answers given in turn: (status, headers, json body); when empty, ``default`` answers.
    script: deque = field(default_factory=deque)
    default: tuple = (201, {}, {"ok": True})
    seen: list[Seen] = field(default_factory=list)

    def answer(self, status: int, body: object = None, **headers: str) -> None:
        self.script.append((status, headers, body if body is not None else {}))

    def writes(self) -> list[Seen]:
        return [s for s in self.seen if s.method != "GET"]


def _handler(service: ScriptedService):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args) -> None:
            pass

        def _reply(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            service.seen.append(Seen(self.command, self.path, {k: v for k, v in self.headers.items()}, body))
            if self.path == "/health":
                status, headers, payload = 200, {}, {"status": "ok"}
            elif service.script:
                status, headers, payload = service.script.popleft()
            else:
                status, headers, payload = service.default
            data = json.dumps(payload).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _reply

    return Handler


@pytest.fixture
def scripted():
    service = ScriptedService()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(service))
    server.daemon_threads = True
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield service
    server.shutdown()
    server.server_close()


@pytest.fixture
def open_outbox(tmp_path: Path):
    """``open_outbox(name="outbox")`` opens (or reopens) a sealed outbox in ``tmp_path``."""
    opened: list[Outbox] = []

    def make(name: str = "outbox", **kw) -> Outbox:
        box = SecretBox.from_file(tmp_path / "outbox.key")
        outbox = Outbox(tmp_path / f"{name}.sqlite3", box, **kw)
        opened.append(outbox)
        return outbox

    yield make
    for outbox in opened:
        try:
            outbox.close()
        except Exception:
            pass


@pytest.fixture
def client_for():
    clients: list[CentralClient] = []

    def make(url: str, **kw) -> CentralClient:
        kw.setdefault("connect_timeout", 1.0)
        kw.setdefault("read_timeout", 2.0)
        client = CentralClient(url, "kiosk-token", **kw)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
