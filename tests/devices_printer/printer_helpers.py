"""Helpers for the printer tests: the captures and a fake network printer."""

from __future__ import annotations

import socket
import struct
import threading
from pathlib import Path

import numpy as np

CAPTURES = Path(__file__).resolve().parents[1] / "fixtures" / "escpos"

#: DLE EOT answers of an Epson-style printer: n=1 printer status, n=2 offline cause, n=4 paper sensor.
READY = {1: 0x12, 2: 0x12, 4: 0x12}
PAPER_NEAR_END = {1: 0x12, 2: 0x12, 4: 0x1E}
PAPER_OUT = {1: 0x1A, 2: 0x32, 4: 0x72}
COVER_OPEN = {1: 0x1A, 2: 0x16, 4: 0x12}


def capture(name: str) -> bytes:
    return (CAPTURES / name).read_bytes()


def ink(image, threshold: int = 128) -> np.ndarray:
    """True where the rendered paper is black."""
    return np.asarray(image.convert("L")) < threshold


class FakeNetworkPrinter:
    """A raw-port (9100) printer on 127.0.0.1: records what it is sent, answers ``DLE EOT n``.

    ``answers`` maps n to the status byte; ``None`` makes it a printer that never answers.
    ``hang_up_after`` closes the connection once that many print bytes have arrived.
    """

    def __init__(self, answers: dict[int, int] | None = READY):
        self.answers = answers
        self.received = bytearray()
        self.hang_up_after: int | None = None
        self.connections = 0
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(4)
        self.port = self._server.getsockname()[1]
        self._stop = False
        self._got = threading.Condition()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"escpos+tcp://127.0.0.1:{self.port}?status_timeout=0.3&timeout=3"

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                self._talk(conn)

    def _talk(self, conn: socket.socket) -> None:
        pending = b""
        while not self._stop:
            try:
                chunk = conn.recv(4096)
            except OSError:
                return
            if not chunk:
                return
            pending += chunk
            while pending:
                start = pending.find(b"\x10\x04")
                if start < 0 or len(pending) < start + 3:
                    keep = pending[start:] if start >= 0 else b""
                    self._record(pending[: len(pending) - len(keep)])
                    pending = keep
                    break
                self._record(pending[:start])
                n = pending[start + 2]
                pending = pending[start + 3 :]
                if self.answers is not None and n in self.answers:
                    conn.sendall(bytes([self.answers[n]]))
            if self.hang_up_after is not None and len(self.received) >= self.hang_up_after:
                # Close at once with a reset, like a printer switched off mid-job.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return

    def _record(self, data: bytes) -> None:
        with self._got:
            self.received += data
            self._got.notify_all()

    def wait_for(self, size: int, timeout: float = 5.0) -> bytes:
        with self._got:
            self._got.wait_for(lambda: len(self.received) >= size, timeout)
            return bytes(self.received)

    def close(self) -> None:
        self._stop = True
        try:
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        self._server.close()
        self._thread.join(timeout=5)
