"""A result locker driven by Kerong KR-CU16 lock control units on a serial (RS-485) line.

URL: ``serial:///dev/ttyUSB1?board=kr-cu16&baudrate=19200&address=0&compartments=A1,A2,…``

* ``board``: the board's protocol; ``kr-cu16`` (the only one so far, frames in
  ``devices.locker.kerong``).
* ``baudrate``: 19200 is the board's factory setting.
* ``address``: the DIP-switch address of the first board (0–15). Compartments are wired in order:
  the first 16 labels to channels 1–16 of that board, the next 16 to the board at ``address + 1``, …
* ``compartments``: the door labels (default the 2 × 6 grid ``A1``–``A6``, ``B1``–``B6``).
* ``timeout``: seconds to wait for a reply; ``open_check_s``: how long a released lock may take to
  report its hook open before the compartment counts as jammed.

Start-up asks every board for its status, so a missing, unpowered or misaddressed board is a clear
``DriverUnavailable`` at once. A compartment is ``door_open`` while its hook switch is open and
``occupied`` while its infrared sensor sees something. A lock that stays latched after ``open`` raises
``LockerJammed`` and is reported jammed until it opens. No reply is ``DeviceTimeout``, a lost line
``DeviceDisconnected``.
"""

from __future__ import annotations

import termios
import threading
import time

import serial

from devices.errors import DeviceDisconnected, DeviceError, DeviceTimeout, DriverUnavailable, LockerError, LockerJammed
from devices.locker import kerong
from devices.locker.labels import parse_labels
from devices.ports import CompartmentState, DeviceURL, Health, ResultLocker

BOARDS = ("kr-cu16",)
DEFAULT_BAUDRATE = 19200
#: How long one read waits for bytes; replies are assembled until ``timeout``.
READ_SLICE_S = 0.05
ATTEMPTS = 2


class SerialLocker(ResultLocker):
    def __init__(self, port, labels: list[str], first_board: int = 0, timeout: float = 0.5,
                 open_check_s: float = 1.0, name: str = "serial line"):
        capacity = (kerong.MAX_BOARDS - first_board) * kerong.LOCKS_PER_BOARD
        if not 0 <= first_board < kerong.MAX_BOARDS:
            raise ValueError(f"address must be 0 to {kerong.MAX_BOARDS - 1}, got {first_board}")
        if not labels or len(labels) > capacity:
            raise ValueError(f"{len(labels)} compartments do not fit boards {first_board}–15 ({capacity} locks)")
        self._port = port
        self._labels = list(labels)
        self._where = {
            label: (first_board + i // kerong.LOCKS_PER_BOARD, i % kerong.LOCKS_PER_BOARD)
            for i, label in enumerate(self._labels)
        }
        self.boards = sorted({board for board, _ in self._where.values()})
        self.timeout = timeout
        self.open_check_s = open_check_s
        self.name = name
        self._bus = threading.Lock()
        self._jammed: set[str] = set()
        self._closed = False

    @classmethod
    def from_url(cls, url: DeviceURL, context) -> "SerialLocker":
        path = url.path or url.netloc
        if not path:
            raise DriverUnavailable("locker: serial:// needs a device path, e.g. serial:///dev/ttyUSB1")
        board = url.param("board", "kr-cu16").lower()
        if board not in BOARDS:
            raise DriverUnavailable(f"locker: board: unknown lock board '{board}' (supported: {', '.join(BOARDS)})")
        baudrate = _number(url, "baudrate", DEFAULT_BAUDRATE, int, 1200, 115200)
        address = _number(url, "address", 0, int, 0, kerong.MAX_BOARDS - 1)
        timeout = _number(url, "timeout", 0.5, float, 0.05, 10)
        open_check_s = _number(url, "open_check_s", 1.0, float, 0, 10)
        labels = parse_labels(url.param("compartments"))
        try:
            port = serial.Serial(path, baudrate=baudrate, timeout=READ_SLICE_S, write_timeout=timeout)
        except (serial.SerialException, OSError, ValueError) as err:
            raise DriverUnavailable(f"locker: cannot open {path}: {err}") from None
        try:
            locker = cls(port, labels, address, timeout, open_check_s, name=path)
        except ValueError as err:
            port.close()
            raise DriverUnavailable(f"locker: {err}") from None
        for number in locker.boards:
            try:
                locker.board_status(number)
            except DeviceError as err:
                locker.close()
                raise DriverUnavailable(
                    f"locker: no KR-CU16 board {number} answering on {path} at {baudrate} baud "
                    f"(check power, wiring, address switches): {err}"
                ) from None
        return locker

    # --- the port ---------------------------------------------------------------------------------

    def compartments(self) -> list[str]:
        return list(self._labels)

    def open(self, compartment: str) -> None:
        label, board, lock = self._locate(compartment)
        status = self._transact(kerong.unlock(board, lock), board)
        deadline = time.monotonic() + self.open_check_s
        while status.latched(lock):
            if time.monotonic() >= deadline:
                with self._bus:
                    self._jammed.add(label)
                raise LockerJammed(f"locker: compartment {label} did not open (lock still latched)")
            time.sleep(0.1)
            status = self.board_status(board)
        with self._bus:
            self._jammed.discard(label)

    def state(self, compartment: str) -> CompartmentState:
        label, board, lock = self._locate(compartment)
        status = self.board_status(board)
        with self._bus:
            jammed = label in self._jammed
        return CompartmentState(door_open=not status.latched(lock), occupied=status.occupied(lock), jammed=jammed)

    def health(self) -> Health:
        try:
            for board in self.boards:
                self.board_status(board)
        except DeviceError as err:
            return Health("error", str(err).removeprefix("locker: "))
        except Exception as err:  # health never raises
            return Health("error", f"health check failed: {err}")
        with self._bus:
            jammed = sorted(self._jammed, key=self._labels.index)
        if jammed:
            status = "error" if len(jammed) == len(self._labels) else "warning"
            return Health(status, f"jammed: {', '.join(jammed)}")
        return Health("ok", f"KR-CU16 on {self.name}, {len(self._labels)} compartments")

    def close(self) -> None:
        with self._bus:
            if self._closed:
                return
            self._closed = True
            try:
                self._port.close()
            except (serial.SerialException, OSError):
                pass

    # --- the line ---------------------------------------------------------------------------------

    def board_status(self, board: int) -> kerong.BoardStatus:
        """Ask one board for its hook and sensor switches."""
        return self._transact(kerong.status_query(board), board)

    def _locate(self, compartment: str) -> tuple[str, int, int]:
        label = str(compartment).strip().upper()
        if label not in self._where:
            raise LockerError(f"locker: no compartment {compartment!r} (this locker has {', '.join(self._labels)})")
        board, lock = self._where[label]
        return label, board, lock

    def _transact(self, frame: bytes, board: int) -> kerong.BoardStatus:
        with self._bus:
            if self._closed:
                raise DeviceDisconnected(f"locker: {self.name} is closed")
            try:
                for _attempt in range(ATTEMPTS):
                    self._port.reset_input_buffer()
                    self._port.write(frame)
                    self._port.flush()
                    status = self._read_status(board)
                    if status is not None:
                        return status
            except (serial.SerialException, OSError, termios.error) as err:
                raise DeviceDisconnected(f"locker: lost {self.name}: {err}") from None
        raise DeviceTimeout(f"locker: board {board} did not answer on {self.name} within {self.timeout:g} s")

    def _read_status(self, board: int) -> kerong.BoardStatus | None:
        buffer = bytearray()
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            buffer += self._port.read(max(1, self._port.in_waiting))
            frame = kerong.find_reply(buffer)
            if frame is None:
                continue
            status = kerong.parse_status(frame)
            if status.board == board:
                return status
        return None


def _number(url: DeviceURL, name: str, default, kind, low, high):
    raw = url.param(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise DriverUnavailable(f"locker: {name}: must be a number from {low} to {high}, got {raw!r}")
    return value
