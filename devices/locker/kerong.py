"""Frames of the Kerong KR-CU16 lock control unit (RS-485, 19200 baud 8N1 by default).

Command frames are five bytes, ``STX ADDR CMD ETX SUM``: STX ``0x02``, ETX ``0x03``, ``SUM`` the low
byte of the sum of the four bytes before it. ``ADDR`` holds the board address (its DIP switches,
0–15) in the high nibble and the lock channel (0–15) in the low nibble.

* ``0x30`` read the board's status: reply ``0x35``.
* ``0x31`` release one lock: the board pulses it and replies with its status (``0x35``).

The status reply is nine bytes, ``STX ADDR 0x35 H1 H2 S1 S2 ETX SUM``: ``H1``/``H2`` the lock-hook
switches of channels 1–8 / 9–16 (bit 0 first; 1 = the hook has caught, the door is shut and locked),
``S1``/``S2`` the infrared occupancy sensors (1 = something inside).

Encoding only; the serial line is ``devices.locker.serial_locker``'s business.
"""

from __future__ import annotations

from dataclasses import dataclass

STX = 0x02
ETX = 0x03
CMD_STATUS = 0x30
CMD_UNLOCK = 0x31
REPLY_STATUS = 0x35
LOCKS_PER_BOARD = 16
MAX_BOARDS = 16
COMMAND_LENGTH = 5
REPLY_LENGTH = 9


class FrameError(ValueError):
    """Bytes that are not a valid KR-CU16 reply."""


def checksum(data: bytes) -> int:
    return sum(data) & 0xFF


def _check(board: int, lock: int) -> None:
    if not 0 <= board < MAX_BOARDS:
        raise ValueError(f"board address must be 0 to {MAX_BOARDS - 1}, got {board}")
    if not 0 <= lock < LOCKS_PER_BOARD:
        raise ValueError(f"lock channel must be 0 to {LOCKS_PER_BOARD - 1}, got {lock}")


def command(board: int, lock: int, cmd: int) -> bytes:
    _check(board, lock)
    body = bytes((STX, (board << 4) | lock, cmd, ETX))
    return body + bytes((checksum(body),))


def status_query(board: int) -> bytes:
    return command(board, 0, CMD_STATUS)


def unlock(board: int, lock: int) -> bytes:
    return command(board, lock, CMD_UNLOCK)


@dataclass(frozen=True)
class BoardStatus:
    """One board's switches: bit ``n`` of ``hooks``/``sensors`` is channel ``n`` (0-based)."""

    board: int
    hooks: int
    sensors: int

    def latched(self, lock: int) -> bool:
        return bool(self.hooks >> lock & 1)

    def occupied(self, lock: int) -> bool:
        return bool(self.sensors >> lock & 1)


def encode_status(status: BoardStatus, lock: int = 0) -> bytes:
    """The board's status reply (what a board sends; used by emulators)."""
    _check(status.board, lock)
    body = bytes((
        STX, (status.board << 4) | lock, REPLY_STATUS,
        status.hooks & 0xFF, status.hooks >> 8 & 0xFF,
        status.sensors & 0xFF, status.sensors >> 8 & 0xFF,
        ETX,
    ))
    return body + bytes((checksum(body),))


def parse_status(frame: bytes) -> BoardStatus:
    """Decode a nine-byte status reply; ``FrameError`` says what is wrong with it."""
    if len(frame) != REPLY_LENGTH:
        raise FrameError(f"status reply must be {REPLY_LENGTH} bytes, got {len(frame)}")
    if frame[0] != STX or frame[7] != ETX:
        raise FrameError(f"status reply is not framed by STX/ETX: {frame.hex(' ')}")
    if checksum(frame[:-1]) != frame[-1]:
        raise FrameError(f"status reply checksum {frame[-1]:02x} should be {checksum(frame[:-1]):02x}")
    if frame[2] != REPLY_STATUS:
        raise FrameError(f"expected a status reply (0x35), got command 0x{frame[2]:02x}")
    return BoardStatus(board=frame[1] >> 4, hooks=frame[3] | frame[4] << 8, sensors=frame[5] | frame[6] << 8)


def find_reply(buffer: bytearray) -> bytes | None:
    """Take the first valid status reply out of ``buffer``, dropping noise before it.

    Returns ``None`` while more bytes are needed. Bytes that cannot start a valid reply are removed,
    so a garbled frame costs its bytes and never stalls the line.
    """
    while True:
        start = buffer.find(STX)
        if start < 0:
            buffer.clear()
            return None
        del buffer[:start]
        if len(buffer) < REPLY_LENGTH:
            return None
        candidate = bytes(buffer[:REPLY_LENGTH])
        try:
            parse_status(candidate)
        except FrameError:
            del buffer[:1]
            continue
        del buffer[:REPLY_LENGTH]
        return candidate
