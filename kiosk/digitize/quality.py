"""Is this page good enough to keep? Blur, glare, too dark, cut off, empty.

Each problem is a flag with a plain-words retake message for the citizen. The checks look at the
captured picture (light) and at the cleaned page at OCR scale (sharpness, text near the edges), so
a threshold means the same whatever the camera's resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from kiosk.digitize.cleaning import TARGET_X_HEIGHT, CleanPage, background
from kiosk.digitize.sheet import reduce_by
from kiosk.i18n import N_

BLURRY = "blurry"
GLARE = "glare"
DARK = "too_dark"
CUT_OFF = "cut_off"
EMPTY = "empty"

#: Flag -> what the citizen is asked to do, in the order they are shown.
RETAKE_MESSAGES = {
    EMPTY: N_("This page looks blank. Turn the printed side towards the camera and take it again."),
    DARK: N_("The picture is too dark. Move the page into better light and take it again."),
    BLURRY: N_("The picture is blurry. Hold the page still and take it again."),
    GLARE: N_("A bright reflection hides part of the page. Tilt the page away from the light and take it again."),
    CUT_OFF: N_("Part of the page is cut off. Place the whole page inside the frame and take it again."),
}

#: Sharpness (steepest ink edges, grey levels per pixel at OCR scale) below which text is blurred.
MIN_SHARPNESS = 62.0
#: Paper darker than this (0-255) in the captured picture is too dark.
MIN_PAPER = 70
MIN_CONTRAST = 35
#: Share of the page blown out to white by a reflection.
MAX_GLARE = 0.01
MIN_TEXT_BLOBS = 12


@dataclass
class Quality:
    flags: list[str] = field(default_factory=list)
    measures: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.flags

    @property
    def messages(self) -> list[str]:
        """Untranslated message ids; show them with ``kiosk.i18n._``."""
        return [RETAKE_MESSAGES[f] for f in RETAKE_MESSAGES if f in self.flags]


def _small_gray(image: Image.Image, side: int = 1000) -> np.ndarray:
    arr = np.asarray(image)
    gray = cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY) if arr.ndim == 3 else arr
    return reduce_by(gray, max(1, round(max(gray.shape) / side)))


def light(image: Image.Image) -> dict[str, float]:
    """Paper brightness, contrast and the share of the page lost to glare, from the capture."""
    gray = _small_gray(image)
    paper = float(np.percentile(gray, 90))
    ink = float(np.percentile(gray, 2))
    bg = background(gray, text_height=10)
    typical = float(np.median(bg))
    # Glare is paper blown out to white where the rest of the page is clearly greyer.
    blown = (bg >= 250) & (gray >= 250) if typical < 225 else np.zeros(gray.shape, bool)
    if blown.any():
        blown = cv2.morphologyEx(blown.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)).astype(bool)
    return {"paper": paper, "contrast": paper - ink, "glare": float(blown.mean())}


def sharpness(ocr: np.ndarray, ink: np.ndarray, strip: int = 48) -> float:
    """How steep the ink edges are: a high percentile of the gradient next to ink, at OCR scale.

    Measured on every other band of ``strip`` rows, which sees plenty of letters for half the work.
    """
    values = []
    for top in range(0, ocr.shape[0], strip * 2):
        band, band_ink = ocr[top : top + strip], ink[top : top + strip]
        near = cv2.dilate(band_ink, np.ones((3, 3), np.uint8)) > 0
        if not near.any():
            continue
        gx = cv2.Sobel(band, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(band, cv2.CV_32F, 0, 1, ksize=3)
        values.append(cv2.magnitude(gx, gy)[near] / 8.0)  # Sobel 3x3 sums eight weighted differences
    if not values:
        return 0.0
    magnitude = np.concatenate(values)
    return float(np.percentile(magnitude, 90)) if magnitude.size >= 50 else 0.0


def _ink(ocr: np.ndarray) -> np.ndarray:
    _t, ink = cv2.threshold(ocr, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return ink


def _letter_boxes(boxes: np.ndarray, x_height: float) -> np.ndarray:
    """Of all blobs' ``[x, y, w, h]``, those the size of letters."""
    keep = (boxes[:, 3] >= x_height * 0.5) & (boxes[:, 3] <= x_height * 3) & (boxes[:, 2] <= x_height * 6)
    return boxes[keep]


def edge_text(boxes: np.ndarray, shape: tuple[int, int]) -> int:
    """Letters touching the picture's edges (text running off the picture)."""
    h, w = shape
    band = max(2, int(0.004 * max(h, w)))
    x, y, bw, bh = boxes.T if len(boxes) else (np.array([]),) * 4
    return int(np.count_nonzero((x <= band) | (y <= band) | (x + bw >= w - band) | (y + bh >= h - band)))


def text_margin(boxes: np.ndarray, shape: tuple[int, int]) -> float:
    """The narrowest gap between the text and an edge of the picture, in pixels."""
    if len(boxes) < 5:
        return float(min(shape))
    h, w = shape
    left = np.percentile(boxes[:, 0], 0.5)
    top = np.percentile(boxes[:, 1], 0.5)
    right = w - np.percentile(boxes[:, 0] + boxes[:, 2], 99.5)
    bottom = h - np.percentile(boxes[:, 1] + boxes[:, 3], 99.5)
    return float(min(left, top, right, bottom))


def check(capture: Image.Image, page: CleanPage) -> Quality:
    """Judge one captured page against its cleaned version."""
    quality = Quality()
    measures = light(capture)
    ocr = np.asarray(page.ocr)
    ink = _ink(ocr)
    _count, _labels, stats, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    boxes = stats[1:, :4]
    h, w = ink.shape
    blobs = int(np.count_nonzero((boxes[:, 3] >= 4) & (boxes[:, 3] < h / 8) & (boxes[:, 2] < w / 8)))
    measures["text_blobs"] = float(blobs)
    if measures["paper"] < MIN_PAPER or (measures["contrast"] < MIN_CONTRAST and measures["paper"] < 160):
        quality.flags.append(DARK)
    if blobs < MIN_TEXT_BLOBS:
        if DARK not in quality.flags:
            quality.flags.append(EMPTY)
        quality.measures = measures
        return quality
    measures["sharpness"] = sharpness(ocr, ink)
    if measures["sharpness"] < MIN_SHARPNESS:
        quality.flags.append(BLURRY)
    if measures["glare"] > MAX_GLARE:
        quality.flags.append(GLARE)
    x_height = page.x_height * page.ocr_scale if page.x_height else TARGET_X_HEIGHT
    boxes = _letter_boxes(boxes, x_height)
    measures["edge_text"] = float(edge_text(boxes, ink.shape))
    measures["text_margin"] = text_margin(boxes, ink.shape) / x_height
    measures["sheet_touches"] = float(page.sheet_touches)
    # Letters cut by the picture's edge, or text right up to the edge (the cut fell between two
    # lines), all the more suspicious when the sheet visibly runs out of the picture.
    sheet_out = 1 <= page.sheet_touches <= 3 and measures["text_margin"] < 3
    if measures["edge_text"] >= 3 or sheet_out or measures["text_margin"] < 1.2:
        quality.flags.append(CUT_OFF)
    quality.measures = measures
    return quality
