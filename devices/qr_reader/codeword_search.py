"""Estimate a blurred symbol codeword by codeword, and correct it with soft decisions.

Under a blur of a whole module the module-by-module fit (``blur_model``) leaves a quarter or more of
the modules wrong, and changing one module at a time cannot mend it: the picture of the true symbol
is a deep minimum of the fit's error, but a narrow one. Here the unit is the codeword, the unit
Reed–Solomon works on:

- ``CodewordSearch`` holds a light-or-dark estimate of every module and gives, for each codeword,
  the exact change of the fit's error (‖seen − B·X·Bᵀ‖², the model of ``blur_model.ModuleModel``)
  for each of its 256 values with every other module held. ``icm`` moves each codeword to its best
  value in turn; ``candidates`` ranks the values of every codeword (how much worse than the best).
- ``card_values``: the values a CCCD card's message allows each codeword (the bits
  ``card_message`` fixes, the ID digits, text bytes' high half) for a guessed payload length.
- ``soft_correct``: Reed–Solomon with soft decisions: erase the least certain codewords (generalised
  minimum distance), then also put the second-best value in a few of them (Chase), keeping
  ``qr_codewords.SPARE`` check codewords unused so that a block is not "corrected" into a wrong one.
"""

from __future__ import annotations

import itertools

import numpy as np

from devices.qr_reader import card_message, qr_codewords, qr_layout, reed_solomon
from devices.qr_reader.blur_model import MODEL_PX, QUIET, ModuleModel, blur_matrix, gather, spread

#: The 8 bits of each value 0–255, most significant first (256 × 8).
BITS = ((np.arange(256)[:, None] >> np.arange(7, -1, -1)[None, :]) & 1).astype(np.float64)
#: High nibbles a byte of Vietnamese text in UTF-8 can have: printable ASCII (2–7), continuation
#: bytes (8–B), the leads of Latin letters with marks (0xC2–0xC6: C) and of the Latin Extended
#: Additional block where most tone-marked vowels are (0xE1: E); not control characters, not
#: Cyrillic or Arabic leads (D), not 4-byte leads (F).
TEXT_HIGH_NIBBLES = np.array([h in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14) for h in range(16)])


class CodewordCells:
    """Where each codeword's 8 modules sit in a symbol of ``version`` read under format ``word``
    (row and column with the ``QUIET`` ring, bit order most significant first) and which of them
    the mask flips."""

    def __init__(self, version: int, word: int):
        self.version = version
        self.word = word
        self.level, self.mask = qr_codewords.decode_format(word)
        n = qr_layout.size_of(version)
        rows, cols = qr_codewords.data_cells(version)
        flip = qr_codewords.mask_pattern(self.mask, n)[rows, cols].astype(np.float64)
        self.count = len(rows) // 8
        end = self.count * 8
        self.rows = rows[:end].reshape(self.count, 8) + QUIET
        self.cols = cols[:end].reshape(self.count, 8) + QUIET
        self.flip = flip[:end].reshape(self.count, 8)
        # remainder bits after the last codeword are zero, seen through the mask
        self.remainder = (rows[end:] + QUIET, cols[end:] + QUIET, flip[end:])
        self.interleaving = qr_codewords.interleaving(version, self.level)
        self.blocks = qr_codewords.blocks(version, self.level)

    def darkness_of(self, index: int) -> np.ndarray:
        """The darkness of codeword ``index``'s modules for each of its 256 values (256 × 8)."""
        return np.abs(BITS - self.flip[index][None, :])

    def values_of(self, full: np.ndarray) -> np.ndarray:
        """Every codeword's value in a light-or-dark picture ``full`` (with the ``QUIET`` ring)."""
        return qr_codewords.codeword_values(full[QUIET:-QUIET, QUIET:-QUIET], self.version, self.mask)[0]


class CodewordSearch:
    """A light-or-dark estimate of a symbol explained by ``model`` (after ``model.solve``), changed
    a codeword at a time. ``start`` (``n × n``) gives the unknown modules (dark above ½);
    ``pinned`` modules are held at ``pinned_dark``."""

    def __init__(self, model: ModuleModel, cells: CodewordCells, start: np.ndarray,
                 pinned: np.ndarray | None = None, pinned_dark: np.ndarray | None = None):
        if model.seen is None:
            raise ValueError("the search starts from a solved model; call model.solve() first")
        self.model = model
        self.cells = cells
        blur = blur_matrix(model.known.shape[0], MODEL_PX, model.sigma)
        self.gram = blur.T @ blur
        full = np.where(model.known, model.dark, 0.0)
        inner = full[QUIET:-QUIET, QUIET:-QUIET]
        free = ~model.known[QUIET:-QUIET, QUIET:-QUIET]
        inner[free] = start[free] > 0.5
        inner[:] = qr_layout.with_format((inner > 0.5).astype(np.uint8), cells.word)
        rows, cols, flip = cells.remainder
        full[rows, cols] = flip
        if pinned is not None:
            inner[pinned] = pinned_dark[pinned]
        self.full = full
        #: Codewords that stay as they are (corrected blocks).
        self.held = np.zeros(cells.count, bool)
        #: The values each codeword may take (``card_values``); all by default.
        self.allowed = np.ones((cells.count, 256), bool)
        self._pulled = gather(model.seen - spread(full, MODEL_PX, model.sigma), MODEL_PX, model.sigma)

    @property
    def modules(self) -> np.ndarray:
        """The estimate, ``n × n`` (1 dark), without the quiet ring."""
        return self.full[QUIET:-QUIET, QUIET:-QUIET].copy()

    def copy(self) -> "CodewordSearch":
        twin = object.__new__(CodewordSearch)
        twin.__dict__.update(self.__dict__)
        twin.full, twin.held, twin.allowed = self.full.copy(), self.held.copy(), self.allowed.copy()
        twin._pulled = self._pulled.copy()
        return twin

    def error(self) -> float:
        """‖seen − B·X·Bᵀ‖² of the current estimate."""
        return float(np.sum((self.model.seen - spread(self.full, MODEL_PX, self.model.sigma)) ** 2))

    def changes(self, index: int) -> np.ndarray:
        """The exact change of ``error()`` for each of codeword ``index``'s 256 values."""
        rows, cols = self.cells.rows[index], self.cells.cols[index]
        step = self.cells.darkness_of(index) - self.full[rows, cols][None, :]
        coupling = self.gram[np.ix_(rows, rows)] * self.gram[np.ix_(cols, cols)]
        return -2.0 * step @ self._pulled[rows, cols] + np.einsum("vk,kl,vl->v", step, coupling, step)

    def set_value(self, index: int, value: int) -> None:
        rows, cols = self.cells.rows[index], self.cells.cols[index]
        step = self.cells.darkness_of(index)[value] - self.full[rows, cols]
        moved = np.flatnonzero(step)
        if not moved.size:
            return
        self.full[rows, cols] += step
        self._pulled -= (self.gram[:, rows[moved]] * step[moved]) @ self.gram[cols[moved], :]

    def hold(self, indices, values) -> None:
        """Set codewords ``indices`` to ``values`` and keep them there."""
        for index, value in zip(indices, values):
            self.set_value(int(index), int(value))
            self.held[int(index)] = True

    def icm(self, sweeps: int) -> int:
        """Move each codeword in turn to its best allowed value, until a sweep changes none or
        ``sweeps`` have run; the number of changes made."""
        total = 0
        for _sweep in range(sweeps):
            changed = 0
            current = self.cells.values_of(self.full)
            for index in np.flatnonzero(~self.held):
                cost = np.where(self.allowed[index], self.changes(index), np.inf)
                best = int(np.argmin(cost))
                if cost[best] < -1e-9 or not self.allowed[index, current[index]]:
                    self.set_value(index, best)
                    changed += 1
            total += changed
            if not changed:
                break
        return total

    def candidates(self) -> np.ndarray:
        """How much worse each allowed value of each codeword explains the picture than the best
        one (``count × 256``, 0 for the best, ``inf`` for values not allowed)."""
        out = np.empty((self.cells.count, 256))
        for index in range(self.cells.count):
            cost = np.where(self.allowed[index], self.changes(index), np.inf)
            out[index] = cost - cost.min()
        return out


def card_values(cells: CodewordCells, length: int) -> np.ndarray:
    """The values (``count × 256``) each codeword may take in a CCCD card's message of ``length``
    bytes: the bits ``card_message`` fixes, the low half of the 12 ID digits, and the high half of
    the text bytes after them. A byte-mode message starts 4 bits into a codeword (mode, then an
    8-bit count), so every byte straddles two codewords: its high half ends one, its low half
    starts the next."""
    allowed = np.ones((cells.count, 256), bool)
    values = np.arange(256)
    order = [index for block, (data, _ec) in zip(cells.interleaving, cells.blocks) for index in block[:data]]
    for position, bit in card_message.known_bits(length, cells.version, cells.level):
        allowed[order[position // 8]] &= ((values >> (7 - position % 8)) & 1) == bit
    start = 4 + card_message.count_bits(cells.version)
    if start % 8 != 4:  # 16-bit counts (version 10 and up) align bytes with codewords: not used
        return allowed
    data_bits = len(order) * 8
    for byte in range(length):
        low_half = start + 8 * byte + 4
        if low_half + 4 > data_bits:
            break
        if byte < card_message.ID_DIGITS:  # a digit 0x30–0x39: its low half opens the next codeword
            allowed[order[low_half // 8]] &= (values >> 4) <= 9
        elif byte > card_message.ID_DIGITS:  # text: its high half closes this codeword
            allowed[order[(start + 8 * byte) // 8]] &= TEXT_HIGH_NIBBLES[values & 0xF]
    return allowed


def soft_correct(values: list[int], costs: np.ndarray, ec_count: int, allowed: np.ndarray | None = None,
                 chase_depth: int = 8, chase_max: int = 2, limit: int = 1500) -> list[int] | None:
    """A block (data then check codewords, as read: ``values``) corrected with soft decisions, or
    ``None``. ``costs`` (``len × 256``, from ``CodewordSearch.candidates``) says how much worse each
    value explains the picture: the least certain codewords are those whose second-best value is
    nearly as good. Tries every erasure count of the least certain codewords, then the same with
    the second-best value put in up to ``chase_max`` of the ``chase_depth`` least certain ones, at
    most ``limit`` corrections in all. A correction must keep ``qr_codewords.SPARE`` check
    codewords unused and give only ``allowed`` values."""
    ranked = np.sort(costs, axis=1)
    order = [int(k) for k in np.argsort(ranked[:, 1], kind="stable")]
    second = np.argsort(costs, axis=1, kind="stable")[:, 1]
    spare = qr_codewords.SPARE
    tries = 0

    def fits(block: list[int] | None) -> bool:
        return block is not None and (allowed is None or all(allowed[k, v] for k, v in enumerate(block)))

    def erasing(received: list[int], substituted: tuple[int, ...] = ()) -> list[int] | None:
        nonlocal tries
        rest = [k for k in order if k not in substituted]
        for erased in range(ec_count - spare + 1):
            tries += 1
            block = reed_solomon.rs_correct(received, ec_count, tuple(rest[:erased]), spare)
            if fits(block):
                return block
        return None

    found = erasing(list(values))
    if found is not None:
        return found
    weakest = order[:chase_depth]
    for count in range(1, chase_max + 1):
        for chosen in itertools.combinations(weakest, count):
            received = list(values)
            for k in chosen:
                received[k] = int(second[k])
            found = erasing(received, chosen)
            if found is not None:
                return found
            if tries > limit:
                return None
    return None
