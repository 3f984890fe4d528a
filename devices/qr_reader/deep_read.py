"""The last and slowest reading of an aligned card symbol: blurred by a whole module or more.

``rectify.FitReader`` estimates module by module and reads up to about one module of blur. Past
that, its estimate keeps a quarter or more of the modules wrong. ``read_deep`` goes on from there:

1. For each blur width of ``DEEP_BLURS`` and each of the two likeliest format words, the module
   estimate is improved a codeword at a time (``codeword_search.CodewordSearch.icm``); the states
   that explain the picture best go on (``STATES``).
2. The payload length is guessed among the likeliest (``card_message.likely_lengths``) by how well
   the estimate explains the picture with the card's message held (``codeword_search.card_values``).
3. Rounds, up to ``ROUNDS``: estimate the modules again from the last light-or-dark estimate with the
   card's bits and every corrected block held (``ModuleModel.solve`` and ``binarise``), realign the
   symbol on it in ``REALIGN_ROUNDS``, improve it a codeword at a time, then correct each open
   block with soft decisions (``codeword_search.soft_correct``). A corrected block is held from then
   on and sharpens the estimate of its neighbours; one corrected block usually brings the rest.

Measured on generated lobby frames blurred by 1.0–1.2 modules at 2.2–2.6 pixels per module
(``tests/identity/identity_cards.py``): the earlier stages read 1 of 24, this stage 7 more, with no
wrong read; 3–8 s when it reads. It is given ``SECONDS`` at most per symbol.
"""

from __future__ import annotations

import time
from typing import Iterator

import numpy as np

from devices.qr_reader import card_message, qr_codewords, qr_layout
from devices.qr_reader.blur_model import ModuleModel
from devices.qr_reader.codeword_search import CodewordCells, CodewordSearch, card_values, soft_correct
from devices.qr_reader.rectify import MIN_SCORE, SymbolFit, realign, resample

#: Blur widths (modules) tried: beyond those the earlier stages read.
DEEP_BLURS = (1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3)
#: Format words tried per blur width (the nearest to the estimate).
FORMATS = 2
#: (blur, format) states read in full, those that explain the picture best.
STATES = 2
#: Payload lengths compared (``card_message.likely_lengths``).
LENGTHS = 4
#: Codeword-at-a-time sweeps per estimate.
SWEEPS = 8
ROUNDS = 8
REALIGN_ROUNDS = (1, 3)
#: Rounds after which a round that changes nothing ends the reading.
PATIENCE = 4
#: Most seconds spent on one symbol.
SECONDS = 8.0


def read_deep(fit: SymbolFit, seconds: float = SECONDS) -> Iterator[list[tuple[bytes, str]]]:
    """Messages read from an aligned symbol as lists of ``(bytes, "reed-solomon")``, one list per
    step (mostly empty) so that a caller can stop between steps; at most ``seconds`` in all."""
    stop = time.monotonic() + seconds
    picture = resample(fit).astype(np.float64)
    states = []
    for sigma in DEEP_BLURS:
        if time.monotonic() > stop:
            return
        model = ModuleModel(fit.version, picture, sigma)
        darkness = model.solve()
        if darkness is None:
            continue
        darkness = model.binarise(darkness)
        for _distance, word in qr_layout.format_candidates(darkness)[:FORMATS]:
            search = CodewordSearch(model, CodewordCells(fit.version, word), darkness)
            search.icm(SWEEPS)
            states.append((search.error(), len(states), model, darkness, search))
        yield []
    for _error, _order, model, darkness, search in sorted(states, key=lambda state: state[:2])[:STATES]:
        if time.monotonic() > stop:
            return
        likeliest = _likeliest_length(search, darkness)
        if likeliest is not None:
            yield from _read_rounds(fit, model, darkness, search.cells, *likeliest, stop)


def _likeliest_length(search: CodewordSearch, darkness: np.ndarray) -> tuple[int, np.ndarray] | None:
    """The payload length, among the likeliest, whose message explains the picture best, and the
    values it allows each codeword (``None`` when no card's message fits the symbol)."""
    cells = search.cells
    scored = []
    for length in card_message.likely_lengths(darkness, cells.version, cells.word, LENGTHS):
        twin = search.copy()
        twin.allowed = card_values(cells, length)
        twin.icm(SWEEPS)
        scored.append((twin.error(), length, twin.allowed))
    if not scored:
        return None
    _error, length, allowed = min(scored, key=lambda entry: entry[:2])
    return length, allowed


def _read_rounds(fit: SymbolFit, model: ModuleModel, darkness: np.ndarray, cells: CodewordCells,
                 length: int, allowed: np.ndarray, stop: float) -> Iterator[list[tuple[bytes, str]]]:
    version, word = cells.version, cells.word
    card_known, card_dark = card_message.pins(length, version, word)
    estimate = model.solve(card_known, card_dark, start=darkness)
    if estimate is None:
        return
    estimate = (model.binarise(estimate, card_known, card_dark) > 0.5).astype(np.float64)
    corrected: list[list[int] | None] = [None] * len(cells.blocks)
    for round_ in range(ROUNDS):
        if time.monotonic() > stop:
            return
        pinned, pinned_dark = qr_codewords.pinned_modules(version, word, corrected)
        pinned_dark = np.where(pinned, pinned_dark, card_dark)
        pinned = pinned | card_known
        if round_ in REALIGN_ROUNDS:
            refit = realign(fit, np.ones_like(pinned), np.where(pinned, pinned_dark, estimate), model.sigma)
            if refit is not fit and refit.score >= MIN_SCORE:
                fit = refit
                model = ModuleModel(version, resample(fit).astype(np.float64), model.sigma)
        solved = model.solve(pinned, pinned_dark, start=estimate)
        if solved is None:
            return
        search = CodewordSearch(model, cells, model.binarise(solved, pinned, pinned_dark), pinned, pinned_dark)
        search.allowed = allowed.copy()
        for block, values in zip(cells.interleaving, corrected):
            if values is not None:
                search.hold(block, values)
        search.icm(SWEEPS)
        moved = int((search.modules != estimate).sum())
        estimate = search.modules
        costs = search.candidates()
        values = cells.values_of(search.full)
        new = 0
        for b, (indices, (_data, ec_count)) in enumerate(zip(cells.interleaving, cells.blocks)):
            if corrected[b] is None:
                corrected[b] = soft_correct([int(values[i]) for i in indices], costs[indices], ec_count,
                                            allowed[indices])
                new += corrected[b] is not None
        if all(block is not None for block in corrected):
            try:
                yield [(qr_codewords.message_of(corrected, version, cells.level), "reed-solomon")]
            except ValueError:
                pass
            return
        yield []
        if not new and not moved and round_ >= PATIENCE:
            return
