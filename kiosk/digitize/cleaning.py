"""Page cleaning: from a camera or scanner image to a straight, evenly lit page.

``clean_page(image)`` finds the sheet of paper and straightens its perspective, corrects the skew
and the quarter-turn orientation, flattens uneven light and normalises the contrast. It returns two
images of the same page: ``view`` (greyscale or colour, what a person reads in the PDF and on the
review screen) and ``ocr`` (greyscale tuned for Tesseract, possibly rescaled so text has an x-height
near ``TARGET_X_HEIGHT``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from kiosk.digitize.errors import UnreadableImage
from kiosk.digitize.sheet import find_sheet, reduce_by, straighten

#: Text is rescaled for OCR to lowercase letters about this many pixels tall: measured on Vietnamese
#: pages, as accurate as 25-30 px and markedly faster (Tesseract's work grows with the pixel count).
TARGET_X_HEIGHT = 18.0
#: Pictures narrower than this cannot hold a readable page.
MIN_SIDE = 200
#: Skew angles searched, in degrees either way.
MAX_SKEW = 10.0


@dataclass
class CleanPage:
    view: Image.Image
    ocr: Image.Image
    #: OCR image pixels per view image pixel.
    ocr_scale: float = 1.0
    #: Quarter turn applied, counter-clockwise (0, 90, 180, 270), then the skew corrected (degrees,
    #: counter-clockwise as in OpenCV).
    rotation: int = 0
    skew: float = 0.0
    #: The sheet's corners in the source image (clockwise from top left) when it was found.
    outline: list[tuple[float, float]] | None = None
    x_height: float = 0.0
    #: Sides of the picture the sheet runs into (1 to 3: part of the page is outside the picture).
    sheet_touches: int = 0
    stats: dict[str, float] = field(default_factory=dict)


def to_gray(arr: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY) if arr.ndim == 3 else arr


# --- light and contrast ----------------------------------------------------------------------------


def rescale(arr: np.ndarray, scale: float) -> np.ndarray:
    """Resize for OCR. Shrinking averages areas: slower than smoothing and sampling, but measured on
    Vietnamese pages it is the way that keeps hook and acute apart (ổ and ố)."""
    size = (max(1, int(arr.shape[1] * scale)), max(1, int(arr.shape[0] * scale)))
    return cv2.resize(arr, size, interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)


def background(gray: np.ndarray, text_height: float = 30.0) -> np.ndarray:
    """The paper's brightness everywhere, with the ink taken out (a large grey closing)."""
    h, w = gray.shape
    factor = 8
    small = reduce_by(gray, factor)
    size = max(3, int(text_height * 1.5 / factor) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    bg = cv2.GaussianBlur(bg, (0, 0), size)
    bg = cv2.max(bg, cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel))
    return cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)


def noise_level(gray: np.ndarray) -> float:
    """Standard deviation of pixel noise, from the median absolute difference to a 3x3 median."""
    sample = gray[::2, ::2] if gray.size > 4_000_000 else gray
    residual = cv2.absdiff(sample, cv2.medianBlur(sample, 3))
    return 1.4826 * float(np.median(residual[::3, ::3])) * 1.5


def denoise(gray: np.ndarray, sigma: float) -> np.ndarray:
    """Smooth grain away; never more than a thin stroke can take."""
    if sigma < 3.0:
        return gray
    return cv2.GaussianBlur(gray, (0, 0), min(1.6, 0.4 + sigma / 15.0))


def flatten(gray: np.ndarray) -> np.ndarray:
    """Divide out the uneven light and stretch so paper is white and ink is near black."""
    flat = cv2.divide(gray, background(gray), scale=255)
    sample = flat[::4, ::4]
    ink = float(np.percentile(sample, 0.5))
    # White point: the paper's typical level less its remaining grain, so the grain turns white.
    paper = float(np.percentile(sample, 50))
    light = sample[sample > (ink + paper) / 2]
    grain = 1.4826 * float(np.median(np.abs(light - paper))) if light.size else 0.0
    white = max(ink + 40.0, min(255.0, paper - 1.5 * grain))
    if white - ink <= 1 or (ink >= 250 and white >= 254):
        return flat
    alpha = 255.0 / (white - ink)
    return cv2.convertScaleAbs(flat, alpha=alpha, beta=-ink * alpha)


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0, after a light blur against noise."""
    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    _t, ink = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return ink


# --- measuring the text -----------------------------------------------------------------------------


def letters(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ink of letter-sized blobs only (no table edges, shadows, rules or specks), and their sizes.

    Sizes are judged against the typical blob, whichever way the page is turned.
    """
    count, labels, stats, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    sizes = stats[1:, [cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT]]
    h, w = ink.shape
    plausible = (sizes.max(axis=1) >= 4) & (sizes[:, 1] < h / 8) & (sizes[:, 0] < w / 8)
    if plausible.sum() < 10:
        return np.zeros_like(ink), sizes[plausible]
    typical = float(np.median(sizes[plausible].max(axis=1)))
    short, long_ = sizes.min(axis=1), sizes.max(axis=1)
    keep = plausible & (long_ >= 0.3 * typical) & (short <= 3 * typical) & (long_ <= 12 * typical)
    lookup = np.zeros(count, np.uint8)
    lookup[1:][keep] = 255
    return lookup[labels], sizes[keep]


def x_height(sizes: np.ndarray, turned: bool = False) -> float:
    """The typical letter height in pixels (0 when no text is seen)."""
    if len(sizes) < 10:
        return 0.0
    heights = sizes[:, 0] if turned else sizes[:, 1]
    return float(np.median(heights[heights >= np.percentile(heights, 25)])) * 0.8


def ink_points(ink: np.ndarray, limit: int = 25_000, seed: int = 0) -> np.ndarray:
    """Coordinates (x, y) of up to ``limit`` ink pixels, centred on the image."""
    ys, xs = np.nonzero(ink)
    if len(xs) > limit:
        pick = np.random.default_rng(seed).choice(len(xs), limit, replace=False)
        xs, ys = xs[pick], ys[pick]
    h, w = ink.shape
    return np.stack([xs - w / 2.0, ys - h / 2.0]).astype(np.float32)


def row_profile(points: np.ndarray, angle: float) -> np.ndarray:
    """Ink per row once the image is turned ``angle`` degrees counter-clockwise."""
    if points.shape[1] == 0:
        return np.zeros(1)
    a = np.deg2rad(angle)
    # The same turn as cv2.getRotationMatrix2D(centre, angle, 1) gives the image.
    y = points[1] * np.cos(a) - points[0] * np.sin(a)
    y = (y - y.min()).astype(np.int32)
    return np.bincount(y).astype(np.float64)


def _score(points: np.ndarray, angle: float) -> float:
    return float(np.square(np.diff(row_profile(points, angle))).sum())


def find_skew(points: np.ndarray) -> tuple[float, float]:
    """The angle (degrees, counter-clockwise) that makes text lines level, and how sharp they get."""
    if points.shape[1] < 50:
        return 0.0, 0.0
    angles = np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5)
    best = float(angles[int(np.argmax([_score(points, a) for a in angles]))])
    fine = np.arange(best - 0.45, best + 0.46, 0.05)
    scores = [_score(points, a) for a in fine]
    i = int(np.argmax(scores))
    return float(fine[i]), float(scores[i])


def _above_below(rows: np.ndarray) -> tuple[float, float]:
    """Ink above and below the dense middle band of each text line in a row profile."""
    if rows.size == 0 or rows.max() <= 0:
        return 0.0, 0.0
    on = rows > rows.max() * 0.04
    above = below = 0.0
    start = None
    for y, flag in enumerate(np.append(on, False)):
        if flag and start is None:
            start = y
        elif not flag and start is not None:
            line = rows[start:y]
            start = None
            if len(line) < 4:
                continue
            core = np.nonzero(line >= line.max() * 0.5)[0]
            above += line[: core[0]].sum()
            below += line[core[-1] + 1 :].sum()
    return above, below


def upside_down(points: np.ndarray, angle: float, strips: int = 4) -> bool:
    """True when the level text lines carry more ink below their middle band than above it.

    Latin letters, and Vietnamese ones with their accents even more, reach above the x-height far
    more than below the baseline; turned over, it is the other way round. Lines are measured in
    vertical strips, where a page photographed in slight perspective still has straight lines.
    """
    if points.shape[1] == 0:
        return False
    a = np.deg2rad(angle)
    x = points[0] * np.cos(a) + points[1] * np.sin(a)
    edges = np.quantile(x, np.linspace(0, 1, strips + 1))
    above = below = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        part = points[:, (x >= low) & (x <= high)]
        up, down = _above_below(row_profile(part, angle))
        above, below = above + up, below + down
    return below > above


def orientation(ink: np.ndarray) -> tuple[int, float]:
    """Counter-clockwise quarter turn needed (0, 90, 180, 270) and the skew after that turn."""
    points = ink_points(ink)
    skew, score = find_skew(points)
    # The page turned a quarter counter-clockwise (as np.rot90 does): x' = y, y' = -x.
    turned = np.stack([points[1], -points[0]])
    skew_t, score_t = find_skew(turned)
    if score_t > score * 1.3:
        return (270 if upside_down(turned, skew_t) else 90), skew_t
    return (180 if upside_down(points, skew) else 0), skew


def _rotate(arr: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < 0.05:
        return arr
    h, w = arr.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    white = (255,) * (arr.shape[2] if arr.ndim == 3 else 1)
    return cv2.warpAffine(arr, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=white)


def _quarter_turn(arr: np.ndarray, turn: int) -> np.ndarray:
    # np.rot90 turns counter-clockwise, as ``turn`` counts.
    k = {0: 0, 90: 1, 180: 2, 270: 3}[turn]
    return np.ascontiguousarray(np.rot90(arr, k)) if k else arr


# --- the whole cleaning -------------------------------------------------------------------------------


def clean_page(image: Image.Image, *, detect_outline: bool = True) -> CleanPage:
    """Straighten, level, turn upright and even out ``image`` (RGB or L)."""
    if min(image.size) < MIN_SIDE:
        raise UnreadableImage(f"a picture of {image.width}x{image.height} pixels is too small to hold a page")
    colour = image.mode == "RGB" and _is_colourful(image)
    src = np.asarray(image.convert("RGB") if colour else image.convert("L"))
    gray = to_gray(src)
    corners, touches = find_sheet(gray) if detect_outline else (None, 0)
    if corners is not None:
        src = straighten(src, corners)
        gray = to_gray(src)

    noise = noise_level(gray)
    flat = flatten(denoise(gray, noise))
    half = reduce_by(flat, 2)
    ink, sizes = letters(binarize(half))
    turn, skew = orientation(ink)
    height = x_height(sizes, turned=turn in (90, 270)) * 2
    flat = _rotate(_quarter_turn(flat, turn), skew)

    scale = 1.0
    if height > 0 and (height < TARGET_X_HEIGHT * 0.75 or height > TARGET_X_HEIGHT * 1.2):
        scale = min(3.0, max(0.4, TARGET_X_HEIGHT / height))
    ocr = rescale(flat, scale) if scale != 1.0 else flat

    if colour:
        view = _rotate(_quarter_turn(_readable(src), turn), skew)
        view_image = Image.fromarray(view)
    else:
        view_image = Image.fromarray(flat)
    return CleanPage(
        view=view_image,
        ocr=Image.fromarray(ocr),
        ocr_scale=scale,
        rotation=turn,
        skew=skew,
        outline=[tuple(map(float, c)) for c in corners] if corners is not None else None,
        x_height=height,
        sheet_touches=touches,
        stats={"noise": noise},
    )


def _is_colourful(image: Image.Image) -> bool:
    arr = np.asarray(image)
    step = max(1, max(arr.shape[:2]) // 256)
    small = arr[::step, ::step].astype(np.int16)
    spread = small.max(axis=2) - small.min(axis=2)
    return float((spread > 60).mean()) > 0.01


def _readable(src: np.ndarray) -> np.ndarray:
    """The colour page for people: light evened out, contrast stretched, colours kept."""
    ycc = cv2.cvtColor(src, cv2.COLOR_RGB2YCrCb)
    ycc[..., 0] = flatten(ycc[..., 0])
    return cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)
