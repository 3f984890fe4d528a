"""Page cleaning: from a camera or scanner image to a straight, evenly lit page.

``clean_page(image)`` finds the sheet of paper and straightens its perspective, corrects the skew
and the quarter-turn orientation, flattens uneven light and normalises the contrast. It returns two
images of the same page: ``view`` (greyscale or colour, what a person reads in the PDF and on the
review screen) and ``ocr`` (greyscale tuned for Tesseract: mid-greys darkened, possibly rescaled so
text has an x-height near ``TARGET_X_HEIGHT``).
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
#: Ink is at least this much darker than the paper around it (grey levels).
INK_CONTRAST = 40.0
#: More than this share of a page as ink means the threshold split the paper itself.
MAX_INK_SHARE = 0.35
#: A page is turned over when the evidence below its lines is this many times the evidence above
#: (upright Vietnamese pages measure a third to a half) and exceeds it by this many shapes.
TURN_EVIDENCE = 1.5
TURN_MIN_EXCESS = 3
#: The OCR image's tone curve darkens mid-greys and keeps black and white: a faint or rubbed-out
#: word is not lost below Tesseract's global threshold (it is read, and doubted: see ``ocr.py``).
#: Measured on the Vietnamese pages, it leaves the reading of clear print as it was.
OCR_GAMMA = 1.6
_DARKER = np.rint(255.0 * (np.arange(256) / 255.0) ** OCR_GAMMA).astype(np.uint8)


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
    """Divide out the uneven light and stretch so paper is white and ink is near black.

    The black point is a low percentile of the page, or on a sparse page, where that percentile is
    paper, taken from the pixels clearly darker than the paper only: stretching paper shades to
    black would turn them to ink (and the ink, past black, to white). A page without such pixels is
    only levelled.
    """
    flat = cv2.divide(gray, background(gray), scale=255)
    sample = flat[::4, ::4]
    paper = float(np.median(sample))
    light = sample[sample >= paper - 40]
    grain = 1.4826 * float(np.median(np.abs(light.astype(np.float32) - paper))) if light.size else 0.0
    darkest = paper - max(INK_CONTRAST, 4.0 * grain)
    ink = float(np.percentile(sample, 0.5))
    if ink >= darkest:  # less than 0.5 % ink: its median among the pixels clearly darker than paper
        dark = sample[sample < darkest]
        if dark.size < max(8, sample.size // 20_000):
            return flat
        ink = float(np.median(dark))
    # White point: the paper's typical level less its remaining grain, so the grain turns white.
    white = max(ink + INK_CONTRAST, min(255.0, paper - 1.5 * grain))
    lut = np.clip((np.arange(256, dtype=np.float32) - ink) * (255.0 / (white - ink)), 0, 255)
    return cv2.LUT(flat, np.rint(lut).astype(np.uint8))


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0, after a light blur against noise.

    Otsu's split is taken again within the darker side while it calls an implausible share of the
    page ink: with little ink on the page it can fall between two shades of paper.
    """
    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    threshold, ink = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    for _ in range(3):
        share = cv2.countNonZero(ink) / ink.size
        if share <= MAX_INK_SHARE:
            break
        darker = blurred[blurred <= threshold]
        if darker.size < 16 or int(darker.min()) >= int(threshold) - 1:
            break
        threshold, _ = cv2.threshold(darker.reshape(1, -1), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
        _t, ink = cv2.threshold(blurred, threshold, 255, cv2.THRESH_BINARY_INV)
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


def level_ink(ink: np.ndarray, turn: int, skew: float) -> np.ndarray:
    """The ink image given a quarter ``turn`` and levelled by ``skew`` (still ink 255 on 0)."""
    arr = _quarter_turn(ink, turn)
    if abs(skew) < 0.05:
        return arr
    h, w = arr.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
    return cv2.warpAffine(arr, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)


def line_bands(profile: np.ndarray, reach: int, shortest: int) -> tuple[np.ndarray, np.ndarray]:
    """First and last rows of each text line's x-height band in a row profile of ink.

    A band is a run of rows holding at least half the ink of the densest row within ``reach``:
    accents, ascenders and descenders around it are far sparser.
    """
    if profile.size == 0 or profile.max() <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    column = profile.astype(np.float32).reshape(-1, 1)
    local = cv2.dilate(column, np.ones((2 * reach + 1, 1), np.uint8)).ravel()
    dense = (profile > 0) & (profile >= 0.5 * local)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], dense.astype(np.int8), [0]])))
    first, last = edges[::2], edges[1::2] - 1
    tall = last - first + 1 >= shortest
    return first[tall], last[tall]


def upright_evidence(level: np.ndarray) -> tuple[int, int]:
    """Marks and strokes reaching above and below the x-height band of level text lines.

    Counted are letters reaching clearly beyond their line's band (ascenders, capitals and digits
    above; descenders below) and marks standing apart from their letters, each with the nearest
    line: i dots and Vietnamese accents above, the dot below (ạ, ộ) below. Upright, Latin and
    Vietnamese text has two to three times more above; turned over, it is the other way round.
    Counting shapes rather than pixels keeps a few long descenders from outweighing many small
    accents on a sparse page. Lines are measured in vertical strips, where a page photographed in
    slight perspective still has straight lines.
    """
    count, labels, stats, _c = cv2.connectedComponentsWithStats(level, connectivity=8)
    h, w = level.shape
    left, top, width, height, area = (stats[1:, i] for i in range(5))
    sized = (np.maximum(width, height) >= 4) & (height < h / 8) & (width < w / 8)
    if sized.sum() < 8:
        return 0, 0
    body = float(np.median(height[sized]))
    # Letters, words and marks; no rules, frames, pictures or single-pixel specks.
    keep = (area >= 2) & (height <= 3 * body) & (width <= 15 * body)
    lookup = np.zeros(count, np.uint8)
    lookup[1:][keep] = 1
    mask = lookup[labels]
    strips = max(1, min(6, int(w / (30 * body))))
    edges = np.linspace(0, w, strips + 1).astype(int)
    centre, bottom = left + width / 2, top + height - 1
    above = below = 0
    for low, high in zip(edges[:-1], edges[1:]):
        profile = mask[:, low:high].sum(axis=1)
        band_top, band_bottom = line_bands(profile, max(2, round(1.5 * body)), max(2, round(0.3 * body)))
        pick = keep & (centre >= low) & (centre < high)
        if band_top.size == 0 or not pick.any():
            continue
        t, b = top[pick][:, None], bottom[pick][:, None]
        rows = np.arange(t.shape[0])
        overlap = (b >= band_top) & (t <= band_bottom)
        on_one = overlap.sum(axis=1) == 1
        j = overlap.argmax(axis=1)
        margin = np.maximum(1.0, 0.2 * (band_bottom[j] - band_top[j] + 1))
        above += int((on_one & (t[:, 0] < band_top[j] - margin)).sum())
        below += int((on_one & (b[:, 0] > band_bottom[j] + margin)).sum())
        up, down = band_top - b, t - band_bottom  # > 0: the mark is above / below that line
        gap = np.where(up > 0, up, down)
        k = gap.argmin(axis=1)
        near = ~overlap.any(axis=1) & (gap[rows, k] <= body)
        is_up = up[rows, k] > 0
        above += int((near & is_up).sum())
        below += int((near & ~is_up).sum())
    return above, below


def upside_down(above: int, below: int) -> bool:
    """Turn over only on clear evidence: a page kept as it came is better than one turned wrongly."""
    return below >= TURN_EVIDENCE * above + TURN_MIN_EXCESS


def orientation(ink: np.ndarray, marks: np.ndarray | None = None) -> tuple[int, float]:
    """Counter-clockwise quarter turn needed (0, 90, 180, 270) and the skew after that turn.

    ``ink`` (letter-sized blobs) finds the lines; ``marks`` (all the ink, accents and dots too)
    tells which way up they are.
    """
    marks = ink if marks is None else marks
    points = ink_points(ink)
    skew, score = find_skew(points)
    # The page turned a quarter counter-clockwise (as np.rot90 does): x' = y, y' = -x.
    turned = np.stack([points[1], -points[0]])
    skew_t, score_t = find_skew(turned)
    if score_t > score * 1.3:
        above, below = upright_evidence(level_ink(marks, 90, skew_t))
        # Lying on its side the page must turn one way or the other: the likelier one.
        return (270 if below > above else 90), skew_t
    above, below = upright_evidence(level_ink(marks, 0, skew))
    return (180 if upside_down(above, below) else 0), skew


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
    marks = binarize(half)
    ink, sizes = letters(marks)
    turn, skew = orientation(ink, marks)
    height = x_height(sizes, turned=turn in (90, 270)) * 2
    flat = _rotate(_quarter_turn(flat, turn), skew)

    scale = 1.0
    if height > 0 and (height < TARGET_X_HEIGHT * 0.75 or height > TARGET_X_HEIGHT * 1.2):
        scale = min(3.0, max(0.4, TARGET_X_HEIGHT / height))
    ocr = cv2.LUT(rescale(flat, scale) if scale != 1.0 else flat, _DARKER)

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
