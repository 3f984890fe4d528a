"""Read a small, blurred, tilted QR code by fitting what is known about every QR symbol.

When a code is only ~2 pixels per module and blurred over most of a module, binarising the picture
(what zxing-cpp and zbar do) loses it. Here the picture is explained instead:

1. ``fit_symbol``: the fixed parts of a symbol of a given version (finder, timing and alignment
   patterns, version information, quiet zone) are drawn as a template and aligned to the picture
   with OpenCV's ECC image alignment (a homography, so tilt is handled); the rotation and the
   version that align best win.
2. ``blur_model.ModuleModel``: the aligned picture is resampled upright at a few pixels per module
   and explained as the module grid blurred by a Gaussian, seen through a tone curve (quadratic in
   darkness, over a tilted background for uneven light). The darkness of every unknown module is
   the least-squares fit bounded to [0, 1] (projected gradient, FISTA), fixed modules held at their
   known values; pixels clipped white only bound the fit; the fit is then pulled step by step
   towards light-or-dark modules (``ModuleModel.binarise``). The blur width is judged on the fixed
   parts (``blur_model.likely_blurs``).
3. ``FitReader.plain``: each estimate is drawn as a clean, sharp symbol for zxing-cpp, and read
   codeword by codeword with Reed–Solomon erasures (``qr_codewords``); blocks that correct are fed
   back as known modules: the symbol is realigned on them (``realign``: the fixed parts sit in
   three corners, so the first fit can drift in the fourth) and the rest estimated again.
4. ``FitReader.with_card_message``: the same with the bits every card's message holds
   (``card_message``: header, ID digits, terminator and padding, for the likeliest lengths) held
   from the start, after realigning on them and on the modules the estimate is sure of.

Measured on generated lobby frames at 1.9–2.8 pixels per module (``identity_cards.blurry_pose``,
blurred by 0.6–0.95 of a module): 17 of 24 read before step 3's realignment, the pull of step 2
and step 4, 23 of 24 with them. Past about one module of blur the estimate has too many wrong
modules (over 10 %) even with the card's bits held.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import cv2
import numpy as np
import zxingcpp

from devices.qr_reader import card_message, qr_codewords, qr_layout
from devices.qr_reader.blur_model import MODEL_PX, QUIET, ModuleModel, known_modules, likely_blurs

#: Template pixels per module when searching rotation and version, and when refining the fit.
SEARCH_PX = 2
FIT_PX = 2
#: ECC iterations when settling the rotation, and when refining the winning version.
SEARCH_STEPS = 6
FIT_STEPS = 12
#: Least correlation of the aligned fixed parts with the picture for a fit to be read. Symbols
#: measured at 0.87–0.98 (2 pixels per module, blurred up to a module); a wrong version or a
#: patch of print that is not a symbol at 0.70–0.80.
MIN_SCORE = 0.85
#: Estimates whose format cells are further than this from every format word are not worth
#: correcting (summed darkness over the 30 cells; a clean read is well under 1).
FORMAT_FAR = 7.0
#: A second format word is tried when it is this close to the nearest (in summed darkness over the
#: 30 format cells; two words differ in at least 7 bits, i.e. 14 cells).
FORMAT_DOUBT = 3.0
#: Estimated modules at least this far from ½ (after ``ModuleModel.binarise``) are taken as
#: settled when the symbol is realigned on what is known.
SURE = 0.45
#: Blurs read again with the modules a card's message fixes (those that explain the picture best).
PRIOR_BLURS = 2
#: Payload lengths tried with the modules a card's message fixes (``card_message``), best first.
LENGTHS_TRIED = 3
#: Versions tried when the caller gives none: CCCD payloads (100–200 bytes at level M).
CCCD_VERSIONS = (7, 6, 8, 9, 5, 10)


@dataclass(frozen=True)
class SymbolFit:
    """A symbol aligned to the picture: ``warp`` maps template pixels (``px`` per module, ``QUIET``
    light modules around the symbol) to pixels of ``image``, a float crop of the frame whose top
    left corner is at ``origin`` (x, y) in the frame."""

    version: int
    warp: np.ndarray
    px: int
    score: float
    image: np.ndarray
    origin: tuple[int, int] = (0, 0)

    @property
    def size(self) -> int:
        return qr_layout.size_of(self.version)

    def corners(self) -> np.ndarray:
        """The symbol's outer corners in the frame (4 × 2)."""
        return _corners_of(self.warp, self.version, self.px) + np.float64(self.origin)


@lru_cache(maxsize=64)
def _template(version: int, px: int, blur_modules: float) -> tuple[np.ndarray, np.ndarray]:
    known, dark = known_modules(version)
    light = np.where(known, 1.0 - dark, 0.5).astype(np.float32)
    image = np.kron(light, np.ones((px, px), np.float32))
    if blur_modules > 0:
        image = cv2.GaussianBlur(image, (0, 0), blur_modules * px)
    mask = np.kron(known.astype(np.uint8), np.ones((px, px), np.uint8)) * 255
    return image, mask


def _scaled(warp: np.ndarray, old_px: int, new_px: int) -> np.ndarray:
    """The same alignment for a template drawn at ``new_px`` pixels per module instead of ``old_px``
    (template pixel centre ``t`` sits at module coordinate ``(t + 0.5) / px - QUIET``)."""
    r = old_px / new_px
    return warp @ np.array([[r, 0, 0.5 * r - 0.5], [0, r, 0.5 * r - 0.5], [0, 0, 1]])


def _initial_warp(corners: np.ndarray, version: int, px: int, rotation: int) -> np.ndarray:
    n = qr_layout.size_of(version)
    symbol = np.float32([[0, 0], [n, 0], [n, n], [0, n]])
    corners = np.roll(np.asarray(corners, np.float32), rotation, axis=0)
    to_image = cv2.getPerspectiveTransform(symbol, corners)
    from_template = np.array([[1 / px, 0, 0.5 / px - QUIET], [0, 1 / px, 0.5 / px - QUIET], [0, 0, 1]])
    return to_image @ from_template


def _align(image: np.ndarray, version: int, px: int, warp: np.ndarray, blur: float,
           iterations: int) -> tuple[float, np.ndarray]:
    template, mask = _template(version, px, blur)
    criteria = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, iterations, 1e-5)
    try:
        score, found = cv2.findTransformECCWithMask(
            template, image, mask, np.empty((0, 0), np.uint8), warp.astype(np.float32),
            cv2.MOTION_HOMOGRAPHY, criteria, 1)
    except cv2.error:  # did not converge: the template does not fit here
        return -1.0, warp
    return float(score), found.astype(np.float64)


def _turning(corners: np.ndarray) -> float:
    x, y = corners[:, 0], corners[:, 1]
    return float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def _likeness(image: np.ndarray, version: int, px: int, warp: np.ndarray) -> float:
    """Correlation of the fixed parts' template with the picture under ``warp``, without moving it."""
    template, mask = _template(version, px, 0.8)
    side = template.shape[0]
    seen = cv2.warpPerspective(image, warp, (side, side), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    chosen = mask > 0
    a = template[chosen] - template[chosen].mean()
    b = seen[chosen] - seen[chosen].mean()
    norm = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum()) / norm if norm > 0 else 0.0


def _corners_of(warp: np.ndarray, version: int, px: int) -> np.ndarray:
    n = qr_layout.size_of(version)
    edge = [(QUIET * px - 0.5), ((n + QUIET) * px - 0.5)]
    points = np.float32([[edge[0], edge[0]], [edge[1], edge[0]], [edge[1], edge[1]], [edge[0], edge[1]]])
    return cv2.perspectiveTransform(points[None], warp)[0].astype(np.float64)


def fit_symbol(gray: np.ndarray, corners: np.ndarray, versions: tuple[int, ...] = CCCD_VERSIONS) -> SymbolFit | None:
    """Align a symbol to the quadrilateral ``corners`` (4 × 2, any starting corner, either turn).

    The rotation is settled first on the fixed parts of ``versions[0]`` (the finder patterns sit in
    the same corners in every version); the version is then picked by how well each one's fixed
    parts match without moving the symbol's outline, and only the winner is refined."""
    corners = np.asarray(corners, np.float64)
    side = max(np.linalg.norm(corners[i] - corners[i - 1]) for i in range(4))
    margin = int(side * 0.35) + 4
    height, width = gray.shape
    x0, y0 = (max(0, int(v) - margin) for v in corners.min(axis=0))
    x1, y1 = (int(v) + margin for v in corners.max(axis=0))
    image = np.ascontiguousarray(gray[y0:min(height, y1), x0:min(width, x1)], np.float32)
    local = corners - [x0, y0]
    if _turning(local) < 0:
        local = local[::-1]  # same turning sense as the symbol's own corners
    first = versions[0]
    starts = [_initial_warp(local, first, SEARCH_PX, rotation) for rotation in range(4)]
    order = sorted(range(4), key=lambda r: -_likeness(image, first, SEARCH_PX, starts[r]))
    aligned = [_align(image, first, SEARCH_PX, starts[r], 0.8, SEARCH_STEPS) for r in order[:2]]
    score, warp = max(aligned, key=lambda a: a[0])
    if score < MIN_SCORE - 0.2:
        return None
    outline = _corners_of(warp, first, SEARCH_PX)
    ranked = sorted(versions, key=lambda v: -_likeness(image, v, SEARCH_PX, _initial_warp(outline, v, SEARCH_PX, 0)))
    best = None
    for version in ranked[:2]:
        start = _scaled(_initial_warp(outline, version, SEARCH_PX, 0), SEARCH_PX, FIT_PX)
        refined, found = _align(image, version, FIT_PX, start, 0.6, FIT_STEPS)
        if best is None or refined > best.score:
            best = SymbolFit(version, found, FIT_PX, refined, image, (x0, y0))
        if refined > 0.9:
            break
    return best if best is not None and best.score >= MIN_SCORE else None


# --- module darkness --------------------------------------------------------------------------------


def resample(fit: SymbolFit, px: int = MODEL_PX) -> np.ndarray:
    """The aligned symbol (with its ``QUIET`` ring) resampled upright at ``px`` pixels per module."""
    side = (fit.size + 2 * QUIET) * px
    warp = _scaled(fit.warp, fit.px, px)
    return cv2.warpPerspective(fit.image, warp, (side, side), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)


# --- reading the estimate ----------------------------------------------------------------------------


def clean_symbol(darkness: np.ndarray, version: int, format_word: int, px: int = 4) -> np.ndarray:
    """A sharp, upright picture of the estimated symbol: fixed parts exact, format word written in."""
    lay = qr_layout.layout(version)
    modules = (darkness > 0.5).astype(np.uint8)
    modules[lay.known] = lay.dark[lay.known]
    modules = qr_layout.with_format(modules, format_word)
    picture = np.pad(np.where(modules > 0, 0, 255).astype(np.uint8), 4, constant_values=255)
    return np.kron(picture, np.ones((px, px), np.uint8))


def read_fit(fit: SymbolFit, sigmas: tuple[float, ...] | None = None,
             rounds: int = 3) -> Iterator[list[tuple[bytes, str]]]:
    """Messages read from an aligned symbol, as ``(bytes, how)`` lists (``how`` is ``zxing`` or
    ``reed-solomon``), one list per stage so a caller can stop between stages: ``FitReader``'s
    plain stages, then those with the modules a card's message fixes."""
    reader = FitReader(fit, sigmas, rounds)
    yield from reader.plain()
    yield from reader.with_card_message()


class FitReader:
    """Reads an aligned symbol in two rounds of stages (each stage a list of ``(bytes, how)``,
    ``how`` being ``zxing`` or ``reed-solomon``), so a caller can run cheaper work between them.

    ``plain``: for each likely blur in turn, zxing-cpp on the clean estimate, then Reed–Solomon
    with erasures, every corrected block fed back as known modules so that the next estimate of
    the rest is sharper. ``with_card_message``: for the ``PRIOR_BLURS`` blurs whose light-or-dark
    estimate explains the picture best (``ModuleModel.misfit``), the same with the modules a
    card's message fixes held (``card_message``, for the ``LENGTHS_TRIED`` likeliest payload
    lengths), after realigning the symbol on them."""

    def __init__(self, fit: SymbolFit, sigmas: tuple[float, ...] | None = None, rounds: int = 3):
        self.fit = fit
        self.sigmas = sigmas
        self.rounds = rounds
        self.estimates: list[tuple[float, ModuleModel, np.ndarray, list[int]]] = []

    def plain(self) -> Iterator[list[tuple[bytes, str]]]:
        fit = self.fit
        picture = resample(fit).astype(np.float64)
        for sigma in self.sigmas or likely_blurs(fit.version, picture):
            model = ModuleModel(fit.version, picture, sigma)
            darkness = model.solve()
            if darkness is None:
                continue
            darkness = model.binarise(darkness)
            (nearest, first), (second_distance, second) = qr_layout.format_candidates(darkness)[:2]
            words = [first, second] if second_distance - nearest < FORMAT_DOUBT else [first]
            yield [(result.bytes, "zxing") for word in words
                   for result in zxingcpp.read_barcodes(clean_symbol(darkness, fit.version, word),
                                                        formats=zxingcpp.BarcodeFormat.QRCode)]
            if nearest > FORMAT_FAR:
                continue
            for word in words:
                yield _read_with_feedback(fit, model, darkness, word, self.rounds)
            self.estimates.append((model.misfit(darkness), model, darkness, words))

    def with_card_message(self) -> Iterator[list[tuple[bytes, str]]]:
        """Only after ``plain`` has run (it leaves the estimates this starts from)."""
        fit = self.fit
        for _misfit, model, darkness, words in sorted(self.estimates, key=lambda e: e[0])[:PRIOR_BLURS]:
            for word in words:
                for length in card_message.likely_lengths(darkness, fit.version, word, LENGTHS_TRIED):
                    yield _read_with_feedback(fit, model, darkness, word, self.rounds,
                                              card_message.pins(length, fit.version, word))


def realign(fit: SymbolFit, pinned: np.ndarray, pinned_dark: np.ndarray, blur: float) -> SymbolFit:
    """``fit`` refined on every module now known: the fixed parts and the ``pinned`` modules
    (``n × n``: corrected codewords, a card's known bits, modules the estimate is sure of). The
    fixed parts sit mostly in three corners, so the first fit can drift by a module in the
    fourth; the pinned modules cover the whole symbol. ``fit`` itself when ECC does not converge."""
    known, dark = known_modules(fit.version)
    known, dark = known.copy(), dark.copy()
    known[QUIET:-QUIET, QUIET:-QUIET] |= pinned
    dark[QUIET:-QUIET, QUIET:-QUIET][pinned] = pinned_dark[pinned]
    block = np.ones((FIT_PX, FIT_PX), np.float32)
    template = cv2.GaussianBlur(np.kron(np.where(known, 1.0 - dark, 0.5).astype(np.float32), block),
                                (0, 0), blur * FIT_PX)
    mask = np.kron(known.astype(np.uint8), block.astype(np.uint8)) * 255
    criteria = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, FIT_STEPS, 1e-5)
    try:
        score, found = cv2.findTransformECCWithMask(
            template, fit.image, mask, np.empty((0, 0), np.uint8),
            _scaled(fit.warp, fit.px, FIT_PX).astype(np.float32), cv2.MOTION_HOMOGRAPHY, criteria, 1)
    except cv2.error:
        return fit
    return SymbolFit(fit.version, found.astype(np.float64), FIT_PX, float(score), fit.image, fit.origin)


def _read_with_feedback(fit: SymbolFit, model: ModuleModel, darkness: np.ndarray, word: int,
                        rounds: int, prior: tuple[np.ndarray, np.ndarray] | None = None
                        ) -> list[tuple[bytes, str]]:
    """Correct the blocks; while more of them correct each round, realign the symbol on the
    corrected modules, estimate the rest again with those held, and correct again. ``prior``
    (``(mask, darkness)``, ``n × n``) holds modules known before reading (``card_message``)."""
    version = fit.version
    level = qr_codewords.decode_format(word)[0]
    if prior is not None:
        model = ModuleModel(version, model.picture, model.sigma)
        darkness = model.solve(*prior, start=darkness)
        if darkness is None:
            return []
        darkness = model.binarise(darkness, *prior)
        # realign on the prior and the modules the estimate is sure of, then estimate again
        sure = prior[0] | (np.abs(darkness - 0.5) > SURE)
        refit = realign(fit, sure, np.where(prior[0], prior[1], darkness > 0.5), model.sigma)
        if refit is not fit and refit.score >= MIN_SCORE:
            fit = refit
            model = ModuleModel(version, resample(fit).astype(np.float64), model.sigma)
            darkness = model.solve(*prior)
            if darkness is None:
                return []
            darkness = model.binarise(darkness, *prior)
    solved = 0
    for _round in range(rounds):
        corrected = qr_codewords.correct_blocks(darkness, version, word)
        done = sum(block is not None for block in corrected)
        if done == len(corrected):
            try:
                return [(qr_codewords.message_of(corrected, version, level), "reed-solomon")]
            except ValueError:
                return []
        if done <= solved:
            return []
        solved = done
        pinned, pinned_dark = qr_codewords.pinned_modules(version, word, corrected)
        if prior is not None:
            pinned_dark = np.where(pinned, pinned_dark, prior[1])
            pinned = pinned | prior[0]
        refit = realign(fit, pinned, pinned_dark, model.sigma)
        if refit is not fit and refit.score >= MIN_SCORE:
            fit = refit
            model = ModuleModel(version, resample(fit).astype(np.float64), model.sigma)
            darkness = model.solve(pinned, pinned_dark)
        else:
            darkness = model.solve(pinned, pinned_dark, start=darkness)
        if darkness is None:
            return []
        darkness = model.binarise(darkness, pinned, pinned_dark)
    return []
