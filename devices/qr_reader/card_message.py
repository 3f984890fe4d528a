"""What the message of a CCCD symbol is known to hold before it is read.

A CCCD card's code is one byte-mode segment (ISO/IEC 18004): the mode ``0100``, the byte count, the
payload, a terminator of up to four zero bits, zero bits to the byte boundary, then the pad
codewords ``0xEC 0x11`` repeated to the end of the data. The payload starts with the 12-digit ID
number and a ``|``. For a guessed payload length every one of those bits is known, and a symbol too
blurred to read alone can be estimated with them held (``rectify.read_fit``): they are about a
seventh of the data bits of a card's symbol, and more for shorter payloads. A wrong guess only
costs time: its messages do not correct, or do not parse as a card.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from devices.qr_reader import qr_codewords, qr_layout

#: Leading payload bytes known to be ASCII digits (the ID number), then the separator.
ID_DIGITS = 12
SEPARATOR = ord("|")
PAD = (0xEC, 0x11)


def count_bits(version: int) -> int:
    """Width of a byte segment's count field."""
    return 8 if version <= 9 else 16


def data_codewords(version: int, level: str) -> int:
    return sum(data for data, _ec in qr_codewords.blocks(version, level))


def byte_capacity(version: int, level: str) -> int:
    """The longest payload one byte segment carries in a symbol of ``version`` at ``level``."""
    return (data_codewords(version, level) * 8 - 4 - count_bits(version)) // 8


def lengths(version: int, level: str) -> range:
    """Payload lengths an encoder puts in ``version``: too long for the version below."""
    shortest = byte_capacity(version - 1, level) + 1 if version > 1 else ID_DIGITS + 1
    return range(max(shortest, ID_DIGITS + 1), byte_capacity(version, level) + 1)


@lru_cache(maxsize=256)
def known_bits(length: int, version: int, level: str) -> tuple[tuple[int, int], ...]:
    """``(bit position in the data codewords, bit)`` for every bit a card's message of
    ``length`` bytes fixes."""
    total = data_codewords(version, level) * 8
    bits: list[tuple[int, int]] = []

    def put(start: int, value: int, width: int) -> None:
        for i in range(width):
            bits.append((start + i, (value >> (width - 1 - i)) & 1))

    put(0, 0b0100, 4)
    width = count_bits(version)
    put(4, length, width)
    start = 4 + width
    for i in range(ID_DIGITS):
        put(start + 8 * i, 0b0011, 4)  # high nibble of an ASCII digit
    put(start + 8 * ID_DIGITS, SEPARATOR, 8)
    end = start + 8 * length
    stop = min(total, -(-(end + 4) // 8) * 8)  # terminator, then zeros to the byte boundary
    put(end, 0, stop - end)
    for i, position in enumerate(range(stop, total, 8)):
        put(position, PAD[i % 2], 8)
    return tuple(bits)


@lru_cache(maxsize=16)
def _message_cells(version: int, level: str) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each data bit in message order (codewords of block 0, then block 1, …)."""
    rows, cols = qr_codewords.data_cells(version)
    order = [index for block, (data, _ec) in zip(qr_codewords.interleaving(version, level),
                                                  qr_codewords.blocks(version, level))
             for index in block[:data]]
    cells = np.array([8 * index + bit for index in order for bit in range(8)])
    return rows[cells], cols[cells]


def pins(length: int, version: int, word: int) -> tuple[np.ndarray, np.ndarray]:
    """Modules fixed by a message of ``length`` bytes under format ``word``: ``(mask, darkness)``."""
    level, mask = qr_codewords.decode_format(word)
    rows, cols = _message_cells(version, level)
    n = qr_layout.size_of(version)
    positions, values = np.array(known_bits(length, version, level)).T
    r, c = rows[positions], cols[positions]
    flip = qr_codewords.mask_pattern(mask, n)[r, c]
    known = np.zeros((n, n), bool)
    dark = np.zeros((n, n), np.float64)
    known[r, c] = True
    dark[r, c] = np.where(flip, 1 - values, values)
    return known, dark


def likely_lengths(darkness: np.ndarray, version: int, word: int, count: int = 2) -> list[int]:
    """The ``count`` payload lengths whose known modules best match an estimate (mean distance
    of the estimated darkness from the modules they fix), best first."""
    scored = []
    for length in lengths(version, qr_codewords.decode_format(word)[0]):
        known, dark = pins(length, version, word)
        scored.append((float(np.abs(darkness[known] - dark[known]).mean()), length))
    scored.sort()
    return [length for _distance, length in scored[:count]]
