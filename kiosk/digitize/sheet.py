"""Finding the sheet of paper in a photo: its four corners, or how it runs out of the picture.

Sharp edges find the sheet first (they survive a shadow across the page); a brightness split is the
fallback. Either way the sheet must lie on something darker than itself, which tells a photographed
sheet from a block of text on a flatbed scan. ``straighten`` warps the sheet to a flat rectangle.
"""

from __future__ import annotations

import cv2
import numpy as np


def reduce_by(arr: np.ndarray, factor: int) -> np.ndarray:
    """Shrink by a whole factor, averaging blocks (OpenCV's fast path; a ragged edge is dropped)."""
    if factor <= 1:
        return arr
    h, w = arr.shape[:2]
    h2, w2 = max(factor, h - h % factor), max(factor, w - w % factor)
    return cv2.resize(arr[:h2, :w2], (w2 // factor, h2 // factor), interpolation=cv2.INTER_AREA)


def _order_corners(pts: np.ndarray) -> np.ndarray:
    pts = pts.reshape(4, 2).astype(np.float32)
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.float32([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def find_sheet(gray: np.ndarray, work_side: int = 800) -> tuple[np.ndarray | None, int]:
    """The sheet's corners (or ``None``) and how many sides of the frame the sheet runs into.

    A sheet that runs into one to three sides, with background visible elsewhere, does not fit
    in the picture: part of the page is cut off.
    """
    h, w = gray.shape
    factor = max(1, round(max(h, w) / work_side))
    small = reduce_by(gray, factor)
    scale = 1.0 / factor
    small = cv2.GaussianBlur(small, (5, 5), 0)
    # Sharp edges find the sheet even when a shadow or the lamp makes parts of it as dark as the
    # table; brightness alone is the fallback for sheets with worn or soft edges.
    edged = _edge_sheet(small)
    if edged is not None:
        filled = np.zeros(small.shape, np.uint8)
        cv2.fillConvexPoly(filled, edged.astype(np.int32), 255)
        touches = _sides_touched(filled)
        return (_order_corners(edged) / scale if not touches else None), touches
    _t, mask = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Text and lines on the sheet are dark too: close them into the sheet.
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    contours, _h = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None, 0
    sheet = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(sheet) / float(mask.shape[0] * mask.shape[1])
    # The sheet runs into a side when it covers a real stretch of it, not just a corner's tip.
    filled = np.zeros_like(mask)
    cv2.drawContours(filled, [sheet], -1, 255, thickness=cv2.FILLED)
    touches = _sides_touched(filled)
    if area > 0.97:
        return None, 4
    if area < 0.2:
        return None, 0
    if touches:
        return None, touches
    quad = _quad(sheet)
    if not _darker_around(small, quad):
        return None, 0
    return _order_corners(quad) / scale, 0


def _sides_touched(filled: np.ndarray) -> int:
    """Sides of the frame the filled sheet covers for a real stretch (more than a corner's tip)."""
    sides = (filled[1, :], filled[-2, :], filled[:, 1], filled[:, -2])
    return sum(int(np.count_nonzero(side) > 0.08 * side.size) for side in sides)


def _quad(contour: np.ndarray) -> np.ndarray:
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32)
    return cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float32)


def _edge_sheet(small: np.ndarray) -> np.ndarray | None:
    """The largest four-cornered outline made of sharp edges, clear of the frame."""
    edges = cv2.Canny(small, 30, 90)
    edges = cv2.dilate(edges, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    contours, _h = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    h, w = small.shape
    biggest = max(contours, key=lambda c: cv2.contourArea(cv2.convexHull(c)))
    quad = _quad(biggest)
    area = cv2.contourArea(quad) / float(h * w)
    if not 0.2 <= area <= 0.97:
        return None
    return quad if _darker_around(small, quad) else None


def _darker_around(small: np.ndarray, quad: np.ndarray) -> bool:
    """A sheet lies on something darker; a block of text on white paper does not."""
    inside = np.zeros(small.shape, np.uint8)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 255)
    ring = cv2.dilate(inside, cv2.getStructuringElement(cv2.MORPH_RECT, (21, 21))) & ~inside
    if not ring.any():
        return False
    paper = float(np.percentile(small[inside > 0], 75))
    around = float(np.median(small[ring > 0]))
    return paper - around >= 30


def straighten(arr: np.ndarray, corners: np.ndarray) -> np.ndarray:
    tl, tr, br, bl = corners
    width = int(round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = int(round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    target = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    flat = cv2.warpPerspective(arr, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    # The outline is found on a reduced picture: trim what may be left of the table around the sheet.
    inset = max(2, int(0.006 * max(width, height)))
    return np.ascontiguousarray(flat[inset : height - inset, inset : width - inset])
