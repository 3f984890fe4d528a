"""A KR-CU16 board emulator on the far end of a pseudo-terminal.

Written from the protocol description on its own (no code shared with the driver), so a framing
mistake in the driver shows up as a board that does not answer or answers something else.
"""

import os
import select
import threading
import tty

import pytest


def frame_sum(data: bytes) -> int:
    return sum(data) % 256


class BoardEmulator(threading.Thread):
    """Boards at ``addresses`` on one RS-485 line. Hooks start latched, sensors empty."""

    def __init__(self, master_fd: int, addresses=(0,)):
        super().__init__(daemon=True, name="kr-cu16-emulator")
        self.fd = master_fd
        self.hooks = {a: 0xFFFF for a in addresses}
        self.sensors = {a: 0 for a in addresses}
        self.jammed: set[tuple[int, int]] = set()
        self.received: list[bytes] = []
        self.silent = False
        self.noise_before_reply = b""
        self.corrupt_replies = 0
        self.lock = threading.Lock()
        self._stop_r, self._stop_w = os.pipe()

    # what people do at the cabinet
    def shut(self, board: int, lock: int) -> None:
        with self.lock:
            self.hooks[board] |= 1 << lock

    def put(self, board: int, lock: int) -> None:
        with self.lock:
            self.sensors[board] |= 1 << lock

    def take(self, board: int, lock: int) -> None:
        with self.lock:
            self.sensors[board] &= ~(1 << lock)

    def latched(self, board: int, lock: int) -> bool:
        with self.lock:
            return bool(self.hooks[board] >> lock & 1)

    def run(self) -> None:
        pending = bytearray()
        while True:
            ready, _, _ = select.select([self.fd, self._stop_r], [], [])
            if self._stop_r in ready:
                return
            try:
                pending += os.read(self.fd, 256)
            except OSError:
                return
            while len(pending) >= 5:
                if pending[0] != 0x02:
                    del pending[0]
                    continue
                frame = bytes(pending[:5])
                if frame[3] != 0x03 or frame_sum(frame[:4]) != frame[4]:
                    del pending[0]
                    continue
                del pending[:5]
                self.answer(frame)

    def answer(self, frame: bytes) -> None:
        with self.lock:
            self.received.append(frame)
            board, lock, command = frame[1] >> 4, frame[1] & 0x0F, frame[2]
            if self.silent or board not in self.hooks or command not in (0x30, 0x31):
                return
            if command == 0x31 and (board, lock) not in self.jammed:
                self.hooks[board] &= ~(1 << lock)
            hooks, sensors = self.hooks[board], self.sensors[board]
            body = bytes([0x02, frame[1], 0x35, hooks & 0xFF, hooks >> 8, sensors & 0xFF, sensors >> 8, 0x03])
            reply = body + bytes([frame_sum(body)])
            if self.corrupt_replies:
                self.corrupt_replies -= 1
                reply = reply[:-1] + bytes([(reply[-1] + 1) % 256])
            os.write(self.fd, self.noise_before_reply + reply)
            self.noise_before_reply = b""

    def stop(self) -> None:
        os.write(self._stop_w, b"x")
        self.join(timeout=5)
        os.close(self._stop_r)
        os.close(self._stop_w)


class Line:
    """The pseudo-terminal pair: the driver opens ``path``, the emulator holds the master end."""

    def __init__(self, addresses=(0,)):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.board = BoardEmulator(self.master, addresses)
        self.board.start()
        self.closed = False

    def unplug(self) -> None:
        self.board.stop()
        os.close(self.master)
        os.close(self.slave)
        self.closed = True

    def close(self) -> None:
        if not self.closed:
            self.unplug()


@pytest.fixture
def make_line():
    lines = []

    def make(addresses=(0,)):
        line = Line(addresses)
        lines.append(line)
        return line

    yield make
    for line in lines:
        line.close()
