"""Where the fixed parts of a QR symbol sit, from ISO/IEC 18004: finder, timing and alignment
patterns, the dark module, version information and the 32 possible format-information words.

Used by ``rectify``: the fixed parts are what a blurred symbol is aligned on, and they are written
back exactly when a clean symbol is drawn from estimated modules. Module arrays are ``n × n`` with
``1`` for dark, indexed ``[row, column]``, no quiet zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# Centres of alignment patterns for versions 1–40 (ISO/IEC 18004, annex E).
_ALIGNMENT = (
    (), (6, 18), (6, 22), (6, 26), (6, 30), (6, 34), (6, 22, 38), (6, 24, 42), (6, 26, 46), (6, 28, 50),
    (6, 30, 54), (6, 32, 58), (6, 34, 62), (6, 26, 46, 66), (6, 26, 48, 70), (6, 26, 50, 74),
    (6, 30, 54, 78), (6, 30, 56, 82), (6, 30, 58, 86), (6, 34, 62, 90), (6, 28, 50, 72, 94),
    (6, 26, 50, 74, 98), (6, 30, 54, 78, 102), (6, 28, 54, 80, 106), (6, 32, 58, 84, 110),
    (6, 30, 58, 86, 114), (6, 34, 62, 90, 118), (6, 26, 50, 74, 98, 122), (6, 30, 54, 78, 102, 126),
    (6, 26, 52, 78, 104, 130), (6, 30, 56, 82, 108, 134), (6, 34, 60, 86, 112, 138),
    (6, 30, 58, 86, 114, 142), (6, 34, 62, 90, 118, 146), (6, 30, 54, 78, 102, 126, 150),
    (6, 24, 50, 76, 102, 128, 154), (6, 28, 54, 80, 106, 132, 158), (6, 32, 58, 84, 110, 136, 162),
    (6, 26, 54, 82, 110, 138, 166), (6, 30, 58, 86, 114, 142, 170),
)

#: Error-correction level bits as written in the format information.
EC_BITS = {"L": 0b01, "M": 0b00, "Q": 0b11, "H": 0b10}


def size_of(version: int) -> int:
    """Modules per side of a symbol of ``version`` (1–40)."""
    if not 1 <= version <= 40:
        raise ValueError(f"QR versions run from 1 to 40, not {version}")
    return 17 + 4 * version


def _bch(value: int, generator: int, degree: int) -> int:
    remainder = value << degree
    top = generator.bit_length() - 1
    while remainder.bit_length() - 1 >= degree:
        remainder ^= generator << (remainder.bit_length() - 1 - top)
    return (value << degree) | remainder


def format_word(level: str, mask: int) -> int:
    """The 15-bit format information for an error-correction level and a mask pattern (0–7)."""
    return _bch((EC_BITS[level] << 3) | mask, 0b10100110111, 10) ^ 0b101010000010010


def version_word(version: int) -> int:
    """The 18-bit version information (versions 7 and up)."""
    return _bch(version, 0b1111100100101, 12)


def format_cells(n: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The two copies of the format information: cell ``i`` of each holds bit ``i`` of the word."""
    near = []  # around the top-left finder
    for i in range(15):
        if i < 6:
            near.append((i, 8))
        elif i < 8:
            near.append((i + 1, 8))
        elif i == 8:
            near.append((8, 7))
        else:
            near.append((8, 14 - i))
    split = []  # beside the top-right and bottom-left finders
    for i in range(15):
        split.append((8, n - 1 - i) if i < 8 else (n - 15 + i, 8))
    return near, split


@dataclass(frozen=True)
class Layout:
    """A version's fixed modules: ``known`` marks them, ``dark`` gives their colour (1 = dark)."""

    version: int
    known: np.ndarray
    dark: np.ndarray

    @property
    def size(self) -> int:
        return self.known.shape[0]


@lru_cache(maxsize=40)
def layout(version: int) -> Layout:
    n = size_of(version)
    known = np.zeros((n, n), bool)
    dark = np.zeros((n, n), np.uint8)

    def put(row: int, col: int, value: int) -> None:
        known[row, col] = True
        dark[row, col] = value

    for top, left in ((0, 0), (0, n - 7), (n - 7, 0)):
        for r in range(-1, 8):
            for c in range(-1, 8):
                row, col = top + r, left + c
                if not (0 <= row < n and 0 <= col < n):
                    continue
                ring = max(abs(r - 3), abs(c - 3))
                put(row, col, int(ring in (0, 1, 3)) if ring <= 3 else 0)
    centres = _ALIGNMENT[version - 1]
    for row in centres:
        for col in centres:
            if known[row, col]:
                continue  # would overlap a finder pattern
            for r in range(-2, 3):
                for c in range(-2, 3):
                    put(row + r, col + c, int(max(abs(r), abs(c)) != 1))
    for i in range(8, n - 8):
        if not known[6, i]:
            put(6, i, int(i % 2 == 0))
        if not known[i, 6]:
            put(i, 6, int(i % 2 == 0))
    put(n - 8, 8, 1)  # the dark module
    if version >= 7:
        word = version_word(version)
        for i in range(18):
            bit = (word >> i) & 1
            put(i // 3, n - 11 + i % 3, bit)
            put(n - 11 + i % 3, i // 3, bit)
    return Layout(version, known, dark)


def format_mask(n: int) -> np.ndarray:
    """Cells holding format information (not part of ``Layout.known``: the mask is not known)."""
    cells = np.zeros((n, n), bool)
    for copy in format_cells(n):
        for row, col in copy:
            cells[row, col] = True
    return cells


def with_format(modules: np.ndarray, word: int) -> np.ndarray:
    """A copy of ``modules`` with both copies of the format information set to ``word``."""
    out = modules.copy()
    for copy in format_cells(modules.shape[0]):
        for i, (row, col) in enumerate(copy):
            out[row, col] = (word >> i) & 1
    return out


def format_candidates(darkness: np.ndarray, levels: tuple[str, ...] = ("M", "L", "Q", "H")) -> list[tuple[float, int]]:
    """``(distance, word)`` for every format word, nearest first: the distance adds up how far the
    estimated darkness (0–1) of the 30 format cells is from the word's bits."""
    n = darkness.shape[0]
    cells = [cell for copy in format_cells(n) for cell in copy]
    values = np.array([darkness[row, col] for row, col in cells], np.float32)
    scored = []
    for level in levels:
        for mask in range(8):
            word = format_word(level, mask)
            bits = np.array([(word >> i) & 1 for i in range(15)] * 2, np.float32)
            scored.append((float(np.abs(values - bits).sum()), word))
    scored.sort()
    return scored


def best_format(darkness: np.ndarray, levels: tuple[str, ...] = ("M", "L", "Q", "H")) -> list[int]:
    """Format words ordered by how well they match the estimated darkness of the format cells."""
    return [word for _distance, word in format_candidates(darkness, levels)]
