"""Read a QR symbol's message from estimated module values, with Reed–Solomon erasures.

zxing-cpp decodes a symbol from its pixels and treats every module as certain. A heavily blurred
symbol gives module estimates that are mostly right but uncertain in places; here the estimates keep
their confidence (a darkness between 0 and 1), the least certain codewords are declared erasures,
and Reed–Solomon (``reed_solomon``) corrects up to twice as many erasures as errors.

``correct_blocks`` corrects every block of an estimate, ``read_message`` joins corrected blocks into
candidate messages, and ``pinned_modules`` turns corrected blocks back into known modules for the
next, sharper estimate (``rectify.read_fit``). Corrections keep ``SPARE`` check codewords unused,
so a block with too many errors is refused rather than "corrected" into another one; callers still
check a message (e.g. "parses as a CCCD payload") before believing it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator

import numpy as np

from devices.qr_reader import qr_layout
from devices.qr_reader.reed_solomon import rs_correct


# --- where the codewords sit ----------------------------------------------------------------------


@lru_cache(maxsize=16)
def data_cells(version: int) -> np.ndarray:
    """``(rows, cols)`` of the data modules in reading order: two-column strips from the bottom
    right, up and down in turn, skipping the timing column."""
    lay = qr_layout.layout(version)
    n = lay.size
    reserved = lay.known | qr_layout.format_mask(n)
    rows, cols = [], []
    upward = True
    right = n - 1
    while right > 0:
        if right == 6:
            right -= 1
        for step in range(n):
            row = n - 1 - step if upward else step
            for col in (right, right - 1):
                if not reserved[row, col]:
                    rows.append(row)
                    cols.append(col)
        upward = not upward
        right -= 2
    return np.array(rows), np.array(cols)


def mask_pattern(mask: int, n: int) -> np.ndarray:
    """``True`` where mask pattern ``mask`` (0–7) inverts a data module."""
    i, j = np.indices((n, n))
    if mask == 0:
        hit = (i + j) % 2 == 0
    elif mask == 1:
        hit = i % 2 == 0
    elif mask == 2:
        hit = j % 3 == 0
    elif mask == 3:
        hit = (i + j) % 3 == 0
    elif mask == 4:
        hit = (i // 2 + j // 3) % 2 == 0
    elif mask == 5:
        hit = (i * j) % 2 + (i * j) % 3 == 0
    elif mask == 6:
        hit = ((i * j) % 2 + (i * j) % 3) % 2 == 0
    elif mask == 7:
        hit = ((i + j) % 2 + (i * j) % 3) % 2 == 0
    else:
        raise ValueError(f"QR mask patterns run from 0 to 7, not {mask}")
    return hit


@lru_cache(maxsize=64)
def blocks(version: int, level: str) -> tuple[tuple[int, int], ...]:
    """``(data codewords, error-correction codewords)`` of each block, in order."""
    import qrcode.base
    import qrcode.constants

    constant = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
                "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}[level]
    return tuple((b.data_count, b.total_count - b.data_count) for b in qrcode.base.rs_blocks(version, constant))


def interleaving(version: int, level: str) -> list[list[int]]:
    """For each block, the indices into the symbol's codeword stream of its codewords."""
    layout = blocks(version, level)
    order: list[list[int]] = [[] for _ in layout]
    index = 0
    for i in range(max(d for d, _e in layout)):
        for b, (data, _ec) in enumerate(layout):
            if i < data:
                order[b].append(index)
                index += 1
    for i in range(layout[0][1]):
        for b in range(len(layout)):
            order[b].append(index)
            index += 1
    return order


def decode_format(word: int) -> tuple[str, int]:
    level_bits = (word ^ 0b101010000010010) >> 13
    mask = ((word ^ 0b101010000010010) >> 10) & 0b111
    level = {bits: name for name, bits in qr_layout.EC_BITS.items()}[level_bits]
    return level, mask


# --- the message ----------------------------------------------------------------------------------

_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


class _Bits:
    def __init__(self, data: bytes):
        self.data = data
        self.position = 0

    def left(self) -> int:
        return len(self.data) * 8 - self.position

    def take(self, count: int) -> int:
        if count > self.left():
            raise ValueError("the message runs past the end of the data")
        value = 0
        for _ in range(count):
            byte = self.data[self.position // 8]
            value = (value << 1) | ((byte >> (7 - self.position % 8)) & 1)
            self.position += 1
        return value


def parse_message(data: bytes, version: int) -> bytes:
    """The message carried by a symbol's data codewords: byte, numeric and alphanumeric segments
    joined as bytes (ECI markers are skipped: the kiosk reads UTF-8). Raises ``ValueError``."""
    bits = _Bits(data)
    wide = 0 if version <= 9 else 1 if version <= 26 else 2
    out = bytearray()
    while bits.left() >= 4:
        mode = bits.take(4)
        if mode == 0:
            break
        if mode == 0b0100:
            count = bits.take((8, 16, 16)[wide])
            out += bytes(bits.take(8) for _ in range(count))
        elif mode == 0b0001:
            count = bits.take((10, 12, 14)[wide])
            while count >= 3:
                value = bits.take(10)
                if value > 999:
                    raise ValueError("numeric group out of range")
                out += f"{value:03d}".encode()
                count -= 3
            if count:
                value = bits.take(4 if count == 1 else 7)
                out += f"{value:0{count}d}".encode()
        elif mode == 0b0010:
            count = bits.take((9, 11, 13)[wide])
            while count >= 2:
                value = bits.take(11)
                if value >= 45 * 45:
                    raise ValueError("alphanumeric pair out of range")
                out += (_ALPHANUMERIC[value // 45] + _ALPHANUMERIC[value % 45]).encode()
                count -= 2
            if count:
                value = bits.take(6)
                if value >= 45:
                    raise ValueError("alphanumeric character out of range")
                out += _ALPHANUMERIC[value].encode()
        elif mode == 0b0111:
            first = bits.take(8)
            if first & 0x80:
                bits.take(8 if first & 0x40 == 0 else 16)
        else:
            raise ValueError(f"unsupported segment mode {mode:04b}")
    return bytes(out)


def codeword_values(darkness: np.ndarray, version: int, mask: int) -> tuple[np.ndarray, np.ndarray]:
    """Per codeword: its value read at 0.5, and its confidence (the least certain of its bits)."""
    rows, cols = data_cells(version)
    n = darkness.shape[0]
    values = darkness[rows, cols]
    flip = mask_pattern(mask, n)[rows, cols]
    bit_values = np.where(flip, 1.0 - values, values)
    count = len(values) // 8
    bits = (bit_values[:count * 8] > 0.5).reshape(count, 8).astype(np.int32)
    confidence = np.abs(bit_values[:count * 8] - 0.5).reshape(count, 8).min(axis=1)
    codewords = bits @ (1 << np.arange(7, -1, -1))
    return codewords, confidence


#: Error-correction codewords left unused when correcting an estimate (see ``rs_correct``).
SPARE = 4


def correct_blocks(darkness: np.ndarray, version: int, word: int,
                   erasure_steps: tuple[int, ...] | None = None) -> list[list[int] | None]:
    """Every block of the symbol corrected (data then error-correction codewords), ``None`` for a
    block beyond repair. A block is first corrected as read, then with its least certain codewords
    erased (counts from ``erasure_steps``; by default every even count the block allows: the best
    count depends on how many of the wrong codewords are among the least certain, which is not
    known in advance); ``SPARE`` check codewords always stay unused, so a block is not
    "corrected" into a wrong one."""
    level, mask = decode_format(word)
    codewords, confidence = codeword_values(darkness, version, mask)
    out: list[list[int] | None] = []
    for indices, (_data, ec_count) in zip(interleaving(version, level), blocks(version, level)):
        block = [int(codewords[i]) for i in indices]
        order = np.argsort(confidence[indices], kind="stable")
        fixed = None
        for erased in erasure_steps or range(0, ec_count - SPARE + 1, 2):
            if erased > ec_count - SPARE:
                break
            fixed = rs_correct(block, ec_count, tuple(int(k) for k in order[:erased]), SPARE)
            if fixed is not None:
                break
        out.append(fixed)
    return out


def message_of(corrected: list[list[int]], version: int, level: str) -> bytes:
    """The message of a symbol whose every block is corrected. Raises ``ValueError``."""
    data = bytearray()
    for block, (data_count, _ec) in zip(corrected, blocks(version, level)):
        data += bytes(block[:data_count])
    return parse_message(bytes(data), version)


def pinned_modules(version: int, word: int, corrected: list[list[int] | None]) -> tuple[np.ndarray, np.ndarray]:
    """Modules known from the corrected blocks: ``(mask, darkness)``, both ``n × n``."""
    level, mask = decode_format(word)
    rows, cols = data_cells(version)
    n = qr_layout.size_of(version)
    flip = mask_pattern(mask, n)[rows, cols]
    known = np.zeros((n, n), bool)
    dark = np.zeros((n, n), np.float64)
    for indices, block in zip(interleaving(version, level), corrected):
        if block is None:
            continue
        for index, value in zip(indices, block):
            cells = slice(index * 8, index * 8 + 8)
            bits = (value >> np.arange(7, -1, -1)) & 1
            known[rows[cells], cols[cells]] = True
            dark[rows[cells], cols[cells]] = np.where(flip[cells], 1 - bits, bits)
    return known, dark


def read_message(darkness: np.ndarray, version: int, format_words: list[int],
                 erasure_steps: tuple[int, ...] | None = None) -> Iterator[bytes]:
    """Candidate messages of a symbol whose module darkness (0 light … 1 dark, ``n × n``, no quiet
    zone) has been estimated, one per format word whose every block could be corrected."""
    for word in format_words:
        corrected = correct_blocks(darkness, version, word, erasure_steps)
        if any(block is None for block in corrected):
            continue
        try:
            yield message_of(corrected, version, decode_format(word)[0])
        except ValueError:
            continue
