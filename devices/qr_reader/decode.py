"""Find QR codes in camera frames and photos, the way a lobby needs it.

The pipeline runs cheap passes first and stops at the first payload the caller accepts (``accept``,
e.g. "parses as a CCCD payload"):

1. zxing-cpp on the whole grey frame. It also reports codes it found but could not decode; their
   corners, and dense square patches found by ``candidate_regions``, become crops for step 2.
2. Each crop is enlarged and, in the order of ``CROP_STEPS``, deblurred (Wiener filter against a
   Gaussian blur), sharpened or contrast-normalised, then read by zxing-cpp and by zbar. After the
   first ``CROP_STEPS_FIRST`` steps of the first crop, step 3 runs.
3. Symbols too small and blurred for any binarising reader (about 2 pixels per module): the
   symbol's outline is found (``locate``), its fixed parts are aligned to the picture and every
   module's darkness is estimated from a model of the blur (``rectify``); the estimate is read by
   zxing-cpp as a clean symbol and by Reed–Solomon with erasures (``qr_codewords``). After the
   remaining crop steps, the symbols are estimated again with the bits every card's message
   holds (``card_message``: header, ID digits, padding), step ``symbol-fit-card``.
4. Whole-frame passes of the variants that are too slow to try first (``FRAME_STEPS``): zbar,
   CLAHE, adaptive threshold, inverted, sharpened, enlarged.
5. Cards blurred by a whole module or more (``deep_read``, step ``symbol-fit-deep``): the symbols
   of step 3 estimated a codeword at a time and corrected with soft decisions, seconds per symbol
   (``deep_seconds``; a camera frame's budget cuts it off, and ``camera`` runs it in the
   background instead).

zbar always runs in binary mode (``ZBAR_CFG_BINARY``): it returns the symbol's bytes, which are
decoded as UTF-8 here, never through zbar's charset guess (which turns short Vietnamese strings into
Shift-JIS mojibake). The order of the steps was chosen by measurement on the development sets
(``kiosk bench id``).
"""

from __future__ import annotations

import io
import os
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable, Iterator

import cv2
import numpy as np
import zxingcpp
from PIL import Image

from devices.qr_reader import deep_read, locate, rectify
from devices.qr_reader.raw_decoders import _Zbar, read_zxing, text_of
from devices.qr_reader.variants import (
    CLAHE, adaptive, box_of, candidate_regions, crop, deblur, enlarge, normalise, overlaps, sharpen,
)
from kiosk.i18n import N_

#: Refuse images larger than this (a 50-megapixel photo is already far beyond any camera frame).
MAX_PIXELS = 50_000_000
#: Larger images are shrunk to about this many pixels before the pipeline runs.
WORK_PIXELS = 8_000_000

Accept = Callable[[bytes], bool]


class ImageError(ValueError):
    """An image that cannot be decoded: ``code`` is ``unreadable`` or ``too_large``."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.message = (
            N_("This picture is too large to read.") if code == "too_large"
            else N_("This file is not a picture that can be read.")
        )


@dataclass(frozen=True)
class Decoded:
    """One QR code read: its raw bytes, its text, and which decoder and image variant read it."""

    data: bytes
    text: str
    decoder: str
    step: str

    def __repr__(self) -> str:  # payloads may be personal data: never in logs
        return f"Decoded({len(self.data)} bytes, decoder={self.decoder}, step={self.step})"


@dataclass
class DecodeResult:
    """The first accepted code (or ``None``) and every code seen on the way."""

    accepted: Decoded | None = None
    seen: list[Decoded] = field(default_factory=list)
    steps: int = 0
    #: A QR symbol was found in the picture (a decoder saw its finder patterns, or the symbol fit
    #: aligned one), whether or not it could be read: "the code is there, but too small or blurred".
    located: bool = False

    @property
    def found_any(self) -> bool:
        return bool(self.seen)


# --- images ---------------------------------------------------------------------------------------


def load_gray(source: "str | os.PathLike | bytes | Image.Image | np.ndarray") -> np.ndarray:
    """An 8-bit grey image from a path, encoded bytes, a Pillow image or an array.

    Raises ``ImageError`` for files that are not pictures and pictures over ``MAX_PIXELS``; big
    pictures are shrunk to about ``WORK_PIXELS``.
    """
    if isinstance(source, np.ndarray):
        return _shrink(_to_gray(source))
    if isinstance(source, Image.Image):
        return _from_pil(source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
            with opened as image:
                return _from_pil(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("too_large", f"image is over {MAX_PIXELS // 1_000_000} megapixels") from None
    except FileNotFoundError:
        raise ImageError("unreadable", "file not found") from None
    except IsADirectoryError:
        raise ImageError("unreadable", "is a directory, not an image") from None
    except PermissionError:
        raise ImageError("unreadable", "permission denied") from None
    except (Image.UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        if isinstance(err, ImageError):
            raise
        raise ImageError("unreadable", "not an image file or the image is damaged") from None


def _from_pil(image: Image.Image) -> np.ndarray:
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageError("too_large", f"image is {width}x{height}, over {MAX_PIXELS // 1_000_000} megapixels")
    if width * height > WORK_PIXELS and image.format == "JPEG":
        scale = (WORK_PIXELS / (width * height)) ** 0.5
        image.draft("L", (int(width * scale), int(height * scale)))
    if image.mode not in ("L", "RGB"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    gray = np.asarray(image.convert("L"), dtype=np.uint8)
    return _shrink(gray)


def _to_gray(array: np.ndarray) -> np.ndarray:
    if array.ndim == 3 and array.shape[2] == 4:
        return cv2.cvtColor(array, cv2.COLOR_BGRA2GRAY)
    if array.ndim == 3:
        return cv2.cvtColor(array, cv2.COLOR_BGR2GRAY)
    if array.ndim != 2:
        raise ImageError("unreadable", f"an image array must be 2-D or 3-D, got {array.ndim}-D")
    if array.size > MAX_PIXELS:
        raise ImageError("too_large", f"image is over {MAX_PIXELS // 1_000_000} megapixels")
    return array if array.dtype == np.uint8 else np.clip(array, 0, 255).astype(np.uint8)


def _shrink(gray: np.ndarray) -> np.ndarray:
    height, width = gray.shape
    if width * height <= WORK_PIXELS:
        return np.ascontiguousarray(gray)
    scale = (WORK_PIXELS / (width * height)) ** 0.5
    return cv2.resize(gray, (int(width * scale), int(height * scale)), interpolation=cv2.INTER_AREA)


# A step is (name, decoder, transform). Crops are enlarged by ``crop_factor`` first, so deblurring
# sigmas are given in pixels of the original frame and multiplied by the factor.
CROP_STEPS: tuple[tuple[str, str, Callable[[np.ndarray, float], np.ndarray]], ...] = (
    ("crop", "zxing", lambda g, f: g),
    ("crop-deblur-1.25", "zxing", lambda g, f: deblur(g, 1.25 * f, 0.02)),
    ("crop-deblur-1.75", "zxing-global", lambda g, f: deblur(g, 1.75 * f, 0.002)),
    ("crop-deblur-1.5", "zxing", lambda g, f: deblur(g, 1.5 * f, 0.01)),
    ("crop-deblur-1.75", "zxing", lambda g, f: deblur(g, 1.75 * f, 0.005)),
    ("crop-deblur-2.0", "zxing", lambda g, f: deblur(g, 2.0 * f, 0.002)),
    ("crop", "zbar", lambda g, f: g),
    ("crop-deblur-1.0", "zxing", lambda g, f: deblur(g, 1.0 * f, 0.02)),
    ("crop-deblur-1.25", "zbar", lambda g, f: deblur(g, 1.25 * f, 0.02)),
    ("crop-sharpen", "zxing", lambda g, f: sharpen(g, 1.5 * f)),
    ("crop-deblur-2.5", "zxing", lambda g, f: deblur(g, 2.5 * f, 0.01)),
    ("crop-inverted", "zbar", lambda g, f: 255 - g),
    ("crop-adaptive", "zxing", lambda g, f: adaptive(g)),
)


#: Crop steps run on the first crop before the symbol fit (step 3) is tried. Measured on the hard
#: development frames and generated lobby frames (blur up to 0.8 module): after the first crop step
#: the codes the pipeline reads are read soonest (mean 99 ms against 108 ms after three steps and
#: 230 ms after all of them; the same codes are read in every order).
CROP_STEPS_FIRST = 1


def crop_factor(crop: np.ndarray) -> float:
    """Enlarge a card-sized crop three times (about 7 pixels per module), big ones to about 750 px."""
    return max(1.5, min(3.0, 750 / max(crop.shape)))


# Whole-frame steps; a transform returning ``None`` does not apply to this frame.
FRAME_STEPS: tuple[tuple[str, str, Callable[[np.ndarray], np.ndarray | None]], ...] = (
    ("frame", "zbar", lambda g: g),
    ("frame-clahe", "zxing", lambda g: CLAHE.apply(g)),
    ("frame-normalised", "zbar", normalise),
    ("frame-inverted", "zbar", lambda g: 255 - g),
    ("frame-adaptive", "zxing", adaptive),
    ("frame-sharpen", "zxing", lambda g: sharpen(g)),
    ("frame-enlarged", "zxing", lambda g: enlarge(g, 2) if max(g.shape) <= 1000 else None),
    ("frame-adaptive", "zbar", adaptive),
)


class QrDecoder:
    """The decoding pipeline. One instance per thread (the zbar scanner is not shared)."""

    def __init__(self, *, max_regions: int = 3, versions: tuple[int, ...] = rectify.CCCD_VERSIONS,
                 symbol_fit: bool = True, deep_seconds: float = deep_read.SECONDS):
        self.max_regions = max_regions
        self.versions = versions  # QR versions the symbol fit tries (step 3)
        self.symbol_fit = symbol_fit
        self.deep_seconds = deep_seconds  # per symbol, for the last step (0: not tried)
        self._zbar: _Zbar | None = None
        self.located = False

    def zbar(self, gray: np.ndarray) -> list[bytes]:
        if self._zbar is None:
            self._zbar = _Zbar()
        return self._zbar.read(gray)

    def _read(self, decoder: str, gray: np.ndarray, step: str) -> list[Decoded]:
        if decoder.startswith("zxing"):
            binarizer = zxingcpp.Binarizer.GlobalHistogram if decoder == "zxing-global" else None
            return [Decoded(r.bytes, text_of(r.bytes, r.text), "zxing", step)
                    for r in read_zxing(gray, binarizer=binarizer)]
        return [Decoded(data, text_of(data), "zbar", step) for data in self.zbar(gray)]

    def attempts(self, gray: np.ndarray) -> Iterator[list[Decoded]]:
        """Every step's results in pipeline order; stop iterating to stop decoding. ``located`` tells,
        as it goes, whether a symbol has been found so far (read or not)."""
        self.located = False
        first = read_zxing(gray, errors=True)
        self.located = bool(first)
        yield [Decoded(r.bytes, text_of(r.bytes, r.text), "zxing", "frame") for r in first if r.valid]
        boxes = [box_of(r.position) for r in first if not r.valid]
        for box in candidate_regions(gray, self.max_regions):
            if len(boxes) >= self.max_regions:
                break
            if not any(overlaps(box, seen) for seen in boxes):
                boxes.append(box)
        fitted = False
        readers: list[rectify.FitReader] = []
        for box in boxes:
            patch = crop(gray, box)
            if min(patch.shape) < 16:
                continue
            factor = crop_factor(patch)
            enlarged = enlarge(patch, factor)
            for index, (name, decoder, transform) in enumerate(CROP_STEPS):
                if index == CROP_STEPS_FIRST and not fitted:
                    fitted = True
                    yield from self._symbol_steps(gray, first, readers)
                yield self._read(decoder, transform(enlarged, factor), name)
        if not fitted:
            yield from self._symbol_steps(gray, first, readers)
        yield from self._card_message_steps(readers)
        for name, decoder, transform in FRAME_STEPS:
            image = transform(gray)
            if image is not None:
                yield self._read(decoder, image, name)
        yield from self._deep_steps(readers)

    def symbol_quads(self, gray: np.ndarray, first=()) -> list[np.ndarray]:
        """Outlines of symbols to fit: where zxing-cpp saw a code it could not read, then the
        strongest two-directional texture (``locate``)."""
        read = [_corners(r) for r in first if r.valid]  # codes already read need no fitting
        quads = [q for q in (_corners(r) for r in first if not r.valid) if _side(q) >= 12]
        for x, y, size in locate.texture_peaks(gray, self.max_regions):
            if len(quads) >= self.max_regions:
                break
            quad = locate.symbol_quad(gray, x, y, size)
            if quad is not None and not any(_same_place(quad, seen) for seen in quads + read):
                quads.append(quad)
        return quads[:self.max_regions]

    def _symbol_steps(self, gray: np.ndarray, first, readers: list) -> Iterator[list[Decoded]]:
        """The symbol fit's plain stages; the readers are kept in ``readers`` for
        ``_card_message_steps``."""
        if not self.symbol_fit:
            return
        for quad in self.symbol_quads(gray, first):
            fit = rectify.fit_symbol(gray, quad, self.versions)
            if fit is not None:
                self.located = True
            yield []
            if fit is None:
                continue
            reader = rectify.FitReader(fit)
            readers.append(reader)
            for found in reader.plain():
                yield [Decoded(data, text_of(data), how, "symbol-fit") for data, how in found]

    def _card_message_steps(self, readers: list) -> Iterator[list[Decoded]]:
        for reader in readers:
            for found in reader.with_card_message():
                yield [Decoded(data, text_of(data), how, "symbol-fit-card") for data, how in found]

    def _deep_steps(self, readers: list) -> Iterator[list[Decoded]]:
        if self.deep_seconds <= 0:
            return
        for reader in readers:
            for found in deep_read.read_deep(reader.fit, self.deep_seconds):
                yield [Decoded(data, text_of(data), how, "symbol-fit-deep") for data, how in found]

    def decode(self, image, accept: Accept | None = None, deadline: float | None = None,
               stop: Callable[[], bool] | None = None) -> DecodeResult:
        """Run the pipeline until a code passes ``accept`` (any code when ``None``), ``deadline``
        (a ``time.monotonic()`` value) passes or ``stop()`` says so. ``image`` is anything
        ``load_gray`` takes."""
        gray = load_gray(image)
        result = DecodeResult()
        for found in self.attempts(gray):
            result.steps += 1
            result.located = result.located or self.located or bool(found)
            for decoded in found:
                if not any(decoded.data == seen.data for seen in result.seen):
                    result.seen.append(decoded)
                if accept is None or _accepts(accept, decoded.data):
                    result.accepted = decoded
                    return result
            if (deadline is not None and time.monotonic() >= deadline) or (stop is not None and stop()):
                break
        return result

    def decode_all(self, image, deadline: float | None = None) -> list[Decoded]:
        """Every distinct code in the image: the union of the first step that finds any and the
        whole-frame zbar pass (several codes in one picture are often split between the two)."""
        gray = load_gray(image)
        found: list[Decoded] = []
        for results in self.attempts(gray):
            for decoded in results:
                if not any(decoded.data == seen.data for seen in found):
                    found.append(decoded)
            if found or (deadline is not None and time.monotonic() >= deadline):
                break
        if found:
            for decoded in self._read("zbar", gray, "frame"):
                if not any(decoded.data == seen.data for seen in found):
                    found.append(decoded)
        return found


def _corners(result) -> np.ndarray:
    p = result.position
    return np.float32([[c.x, c.y] for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)])


def _side(quad: np.ndarray) -> float:
    return min(float(np.linalg.norm(quad[i] - quad[i - 1])) for i in range(4))


def _same_place(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two outlines are mostly the same place (centres closer than half the smaller side)."""
    return float(np.linalg.norm(a.mean(axis=0) - b.mean(axis=0))) < min(_side(a), _side(b)) / 2


def _accepts(accept: Accept, data: bytes) -> bool:
    try:
        return bool(accept(data))
    except Exception:  # a checker that trips on odd bytes has simply not accepted them
        return False
