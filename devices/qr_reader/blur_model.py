"""The picture of an upright QR symbol explained as blurred modules seen through a tone curve.

The forward model: module darkness (0 light … 1 dark) drawn at ``MODEL_PX`` pixels per module,
blurred by a Gaussian of ``sigma`` modules (``spread``; ``gather`` is its adjoint and
``blur_matrix`` the same blur along one axis, so ``spread(X) == B·X·Bᵀ``), then seen through a
tone curve: grey = c0 + cx·x + cy·y + c1·shade + c2·shade². ``ModuleModel.solve`` inverts it for
the unknown modules; ``ModuleModel.binarise`` then pulls the estimate towards modules that are either
light or dark; ``likely_blurs`` judges the blur width on the fixed modules alone.
"""

from __future__ import annotations

import math
from functools import lru_cache

import cv2
import numpy as np

from devices.qr_reader import qr_layout

#: Light modules kept around the symbol (part of its quiet zone, known light).
QUIET = 2
#: Pixels per module of the resampled symbol the modules are estimated from.
MODEL_PX = 3
#: Strengths of the pull towards 0 or 1 in ``ModuleModel.binarise``, in turn (fractions of a lone
#: module's own weight in the fit). Measured on generated lobby frames blurred over 0.7–1.0 of a
#: module: the pulled estimate has a third fewer wrong codewords than the plain least-squares one,
#: and the least certain codewords are more often the wrong ones (which is what erasures need).
BINARY_PULLS = (0.1, 0.2, 0.35, 0.5, 0.7, 1.0)


@lru_cache(maxsize=64)
def known_modules(version: int) -> tuple[np.ndarray, np.ndarray]:
    """Known modules of the symbol with its ``QUIET`` ring: (mask, darkness)."""
    lay = qr_layout.layout(version)
    m = lay.size + 2 * QUIET
    known = np.ones((m, m), bool)
    dark = np.zeros((m, m), np.float64)
    known[QUIET:-QUIET, QUIET:-QUIET] = lay.known
    dark[QUIET:-QUIET, QUIET:-QUIET] = lay.dark
    known.flags.writeable = False
    dark.flags.writeable = False
    return known, dark


@lru_cache(maxsize=64)
def _kernel(px: int, sigma: float) -> np.ndarray:
    width = sigma * px
    return cv2.getGaussianKernel(2 * int(math.ceil(3.5 * width)) + 1, width, cv2.CV_64F)


def spread(modules: np.ndarray, px: int, sigma: float) -> np.ndarray:
    """Module darkness drawn at ``px`` pixels per module and blurred by ``sigma`` modules."""
    kernel = _kernel(px, sigma)
    drawn = np.repeat(np.repeat(modules, px, axis=0), px, axis=1)
    return cv2.sepFilter2D(drawn, cv2.CV_64F, kernel, kernel, borderType=cv2.BORDER_CONSTANT)


def gather(pixels: np.ndarray, px: int, sigma: float) -> np.ndarray:
    """The adjoint of ``spread``: blur, then add up each module's pixels."""
    kernel = _kernel(px, sigma)
    blurred = cv2.sepFilter2D(pixels, cv2.CV_64F, kernel, kernel, borderType=cv2.BORDER_CONSTANT)
    m = pixels.shape[0] // px
    return blurred.reshape(m, px, m, px).sum(axis=(1, 3))


@lru_cache(maxsize=64)
def blur_matrix(modules: int, px: int, sigma: float) -> np.ndarray:
    """``spread`` along one axis as a matrix (rows: pixels, columns: modules), so that
    ``spread(X) == B @ X @ B.T``; its Gram matrix ``B.T @ B`` keeps the fitting loop small."""
    kernel = _kernel(px, sigma)
    drawn = np.repeat(np.eye(modules), px, axis=0)
    matrix = cv2.sepFilter2D(drawn, cv2.CV_64F, np.ones((1, 1)), kernel, borderType=cv2.BORDER_CONSTANT)
    matrix.flags.writeable = False
    return matrix


def _ramps(side: int) -> tuple[np.ndarray, np.ndarray]:
    ramp = np.linspace(-0.5, 0.5, side)
    return np.broadcast_to(ramp[None, :], (side, side)), np.broadcast_to(ramp[:, None], (side, side))


def _tone_fit(picture: np.ndarray, shade: np.ndarray, chosen: np.ndarray) -> np.ndarray | None:
    """Coefficients of picture ≈ c0 + cx·x + cy·y + c1·shade + c2·shade² over the ``chosen`` pixels."""
    xs, ys = _ramps(picture.shape[0])
    s = shade[chosen]
    if s.size < 20:
        return None
    design = np.stack([np.ones_like(s), xs[chosen], ys[chosen], s, s * s], axis=1)
    coefficients, *_ = np.linalg.lstsq(design, picture[chosen], rcond=None)
    return coefficients


def _tone_model(c: np.ndarray, shade: np.ndarray) -> np.ndarray:
    xs, ys = _ramps(shade.shape[0])
    return c[0] + c[1] * xs + c[2] * ys + c[3] * shade + c[4] * shade * shade


def _darkness_of(picture: np.ndarray, c: np.ndarray) -> np.ndarray | None:
    """Invert the tone curve: the blurred darkness each pixel shows (about 0 light … 1 dark)."""
    xs, ys = _ramps(picture.shape[0])
    flat = picture - c[1] * xs - c[2] * ys
    levels = np.linspace(-0.25, 1.25, 61)
    tone = c[0] + c[3] * levels + c[4] * levels * levels
    if np.all(np.diff(tone) < 0):
        return np.interp(flat, tone[::-1], levels[::-1])
    if c[3] + c[4] < 0 and c[3] < 0:  # bends back outside [0, 1] only: keep the straight part
        return (flat - c[0]) / (c[3] + c[4])
    return None


class ModuleModel:
    """A symbol's ``picture`` (resampled upright at ``MODEL_PX`` pixels per module, with its
    ``QUIET`` ring) explained as blurred modules seen through a tone curve, for one blur width
    ``sigma`` (in modules). ``solve`` estimates the darkness of every module."""

    #: Pixels at least this bright are taken as clipped by the camera and not trusted.
    CLIPPED = 250.0

    def __init__(self, version: int, picture: np.ndarray, sigma: float):
        self.version = version
        self.sigma = sigma
        self.picture = picture
        self.known, self.dark = known_modules(version)
        modules = self.known.shape[0]
        blur = blur_matrix(modules, MODEL_PX, sigma)
        self.gram = blur.T @ blur
        self.step = 1.0 / (np.linalg.eigvalsh(self.gram)[-1] ** 2)
        self.trusted = self.picture < self.CLIPPED
        if self.trusted.mean() > 0.995:
            self.trusted = None
        self.seen: np.ndarray | None = None

    def _settle_tone(self, estimate: np.ndarray, chosen: np.ndarray) -> bool:
        shade = spread(estimate, MODEL_PX, self.sigma)
        if self.trusted is not None:
            chosen = chosen & self.trusted
        tone = _tone_fit(self.picture, shade, chosen)
        seen = None if tone is None else _darkness_of(self.picture, tone)
        if seen is None:
            return False
        self.seen = seen
        return True

    def solve(self, pinned: np.ndarray | None = None, pinned_dark: np.ndarray | None = None,
              start: np.ndarray | None = None, iterations: int = 120) -> np.ndarray | None:
        """Darkness (``n × n``, 0 light … 1 dark) of every module; ``pinned`` modules (``n × n``
        mask, from corrected codewords) are held at ``pinned_dark``."""
        known, dark = self._with_pins(pinned, pinned_dark)
        full_start = None
        if start is not None:
            full_start = np.where(known, dark, 0.5)
            full_start[QUIET:-QUIET, QUIET:-QUIET] = np.where(known[QUIET:-QUIET, QUIET:-QUIET],
                                                              dark[QUIET:-QUIET, QUIET:-QUIET], start)
        if self.seen is None:
            guess = np.where(known, dark, 0.5)
            settled = spread(known.astype(np.float64), MODEL_PX, self.sigma) > 0.97
            if not self._settle_tone(guess, settled):
                return None
            full_start = self._solve(known, dark, full_start, iterations)
            if not self._settle_tone(full_start, np.ones(self.picture.shape, bool)):
                return None
            iterations //= 2
        elif full_start is not None and not self._settle_tone(full_start, np.ones(self.picture.shape, bool)):
            return None
        estimate = self._solve(known, dark, full_start, iterations)
        return estimate[QUIET:-QUIET, QUIET:-QUIET]

    def binarise(self, darkness: np.ndarray, pinned: np.ndarray | None = None,
                 pinned_dark: np.ndarray | None = None, iterations: int = 40) -> np.ndarray:
        """``darkness`` (from ``solve``, ``n × n``) refitted with a growing pull towards 0 or 1.

        Modules are either light or dark; the plain fit does not know it, and under a blur of most
        of a module it settles many of them near the middle. Each round minimises
        ‖seen − B·X·Bᵀ‖² − pull·‖X − ½‖² (``BINARY_PULLS``), starting from the previous round, so
        the estimate moves towards a light-or-dark picture that still explains the pixels."""
        if self.seen is None:
            raise ValueError("binarise refines an estimate from solve(); call solve() first")
        known, dark = self._with_pins(pinned, pinned_dark)
        full = np.where(known, dark, 0.5)
        full[QUIET:-QUIET, QUIET:-QUIET] = np.where(known[QUIET:-QUIET, QUIET:-QUIET],
                                                    dark[QUIET:-QUIET, QUIET:-QUIET], darkness)
        weight = np.diag(self.gram)
        lone = float(np.median(np.outer(weight, weight)[~known])) if (~known).any() else 0.0
        for pull in BINARY_PULLS:
            full = self._solve(known, dark, full, iterations, pull * lone)
        return full[QUIET:-QUIET, QUIET:-QUIET]

    def misfit(self, darkness: np.ndarray) -> float:
        """Mean squared difference between the pixels (as darkness) and the estimate rounded to
        light or dark modules, blurred: how well this blur width explains the symbol."""
        if self.seen is None:
            raise ValueError("misfit judges an estimate from solve(); call solve() first")
        full = np.where(self.known, self.dark, 0.0)
        inner = full[QUIET:-QUIET, QUIET:-QUIET]
        free = ~self.known[QUIET:-QUIET, QUIET:-QUIET]
        inner[free] = darkness[free] > 0.5
        return float(np.mean((self.seen - spread(full, MODEL_PX, self.sigma)) ** 2))

    def _with_pins(self, pinned: np.ndarray | None, pinned_dark: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        if pinned is None:
            return self.known, self.dark
        known, dark = self.known.copy(), self.dark.copy()
        known[QUIET:-QUIET, QUIET:-QUIET] |= pinned
        inner = dark[QUIET:-QUIET, QUIET:-QUIET]
        inner[pinned] = pinned_dark[pinned]
        return known, dark

    def _solve(self, known: np.ndarray, dark: np.ndarray, start: np.ndarray | None, iterations: int,
               pull: float = 0.0) -> np.ndarray:
        """Darkness in [0, 1] minimising ‖seen − B·X·Bᵀ‖² − pull·‖X − ½‖², known modules held
        (projected gradient with Nesterov's momentum, FISTA). A clipped pixel only says "at most
        this dark": every few steps it is set to the model's own value when that agrees
        (expectation–maximisation)."""
        gram, seen, sigma = self.gram, self.seen, self.sigma
        x = np.where(known, dark, 0.5 if start is None else start)
        z = x.copy()
        t = 1.0
        free = ~known
        target = gather(seen, MODEL_PX, sigma)
        for step in range(iterations):
            if self.trusted is not None and step % 15 == 0:
                observed = np.where(self.trusted, seen, np.minimum(spread(z, MODEL_PX, sigma), seen))
                target = gather(observed, MODEL_PX, sigma)
            gradient = gram @ z @ gram - target
            if pull:
                gradient -= pull * (z - 0.5)
            updated = np.where(free, np.clip(z - self.step * gradient, 0.0, 1.0), dark)
            t_next = (1 + math.sqrt(1 + 4 * t * t)) / 2
            z = updated + ((t - 1) / t_next) * (updated - x)
            x, t = updated, t_next
        return x


def likely_blurs(version: int, picture: np.ndarray) -> tuple[float, ...]:
    """Blur widths (modules), best first, judged on the pixels only fixed modules shape."""
    known, dark = known_modules(version)
    guess = np.where(known, dark, 0.5)
    trusted = picture < ModuleModel.CLIPPED
    scored = []
    for sigma in (0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        shade = spread(guess, MODEL_PX, sigma)
        settled = (spread(known.astype(np.float64), MODEL_PX, sigma) > 0.97) & trusted
        tone = _tone_fit(picture, shade, settled)
        if tone is None:
            continue
        scored.append((float(np.mean((picture - _tone_model(tone, shade))[settled] ** 2)), sigma))
    scored.sort()
    best = scored[0][1] if scored else 0.6
    # Judged on the big fixed patterns, the blur comes out a little wide for the small modules
    # (measured on generated frames: the best width for reading is 0–0.2 below), so try below first.
    return tuple(round(best + shift, 1) for shift in (-0.1, 0.0, -0.2, 0.1) if 0.3 <= best + shift <= 1.0)
