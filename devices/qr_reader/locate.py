"""Where a QR code may be in a frame, and its four corners, when no decoder has found it.

A QR code is texture that changes in every direction at the scale of a module: the smaller
eigenvalue of the local structure tensor is high over it and low along the straight edges of cards,
text lines and shapes in the background (which change in one direction only). ``texture_peaks``
returns the strongest such places; ``symbol_quad`` outlines the dark square around one of them.
"""

from __future__ import annotations

import cv2
import numpy as np


def texture_map(gray: np.ndarray, scale: float) -> np.ndarray:
    """Smaller structure-tensor eigenvalue (square-rooted), on the frame shrunk by ``scale``."""
    small = gray if scale == 1 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = small.astype(np.float32)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    window = (9, 9)
    xx = cv2.blur(gx * gx, window)
    yy = cv2.blur(gy * gy, window)
    xy = cv2.blur(gx * gy, window)
    half_trace = (xx + yy) / 2
    smaller = half_trace - np.sqrt(np.maximum(half_trace * half_trace - (xx * yy - xy * xy), 0))
    return np.sqrt(np.maximum(smaller, 0))


def texture_peaks(gray: np.ndarray, limit: int = 3) -> list[tuple[int, int, int]]:
    """Up to ``limit`` places ``(x, y, size)`` of strong two-directional texture, strongest first;
    ``size`` is the side in pixels of the textured patch around the peak."""
    scale = 0.5 if max(gray.shape) >= 600 else 1.0
    texture = texture_map(gray, scale)
    peak = float(texture.max())
    if peak < 4.0:
        return []
    found = []
    work = texture.copy()
    for _ in range(limit):
        y, x = np.unravel_index(int(np.argmax(work)), work.shape)
        value = float(work[y, x])
        if value < max(4.0, 0.35 * peak):
            break
        mask = (texture >= 0.5 * value).astype(np.uint8)
        _count, labels, stats, centroids = cv2.connectedComponentsWithStats(mask)
        label = labels[y, x]
        left, top, w, h, _area = stats[label]
        cx, cy = centroids[label]
        found.append((int(cx / scale), int(cy / scale), int(max(w, h) / scale)))
        work[max(0, top - 2):top + h + 2, max(0, left - 2):left + w + 2] = 0
    return found


def symbol_quad(gray: np.ndarray, x: int, y: int, size: int) -> np.ndarray | None:
    """Corners (4 × 2, float, clockwise) of the dark square holding the point ``(x, y)``.

    Light modules are removed by a grey opening a few pixels wide, which leaves the symbol a solid
    dark patch on the lighter card; the patch is cut at half-way between its own grey (at the point)
    and the card's (the light end of the window), so a dark background beside the card does not
    move the cut.
    """
    half = max(40, int(size * 0.9))
    height, width = gray.shape
    x0, y0 = max(0, x - half), max(0, y - half)
    x1, y1 = min(width, x + half), min(height, y + half)
    crop = gray[y0:y1, x0:x1]
    if min(crop.shape) < 20:
        return None
    kernel = max(3, min(9, size // 18) | 1)
    opened = cv2.morphologyEx(crop, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kernel, kernel)))
    opened = cv2.GaussianBlur(opened, (0, 0), 1.5)
    core = max(3, size // 8)
    symbol_level = float(np.median(opened[max(0, y - y0 - core):y - y0 + core, max(0, x - x0 - core):x - x0 + core]))
    card_level = float(np.percentile(opened, 90))
    if card_level - symbol_level < 8:
        return None
    dark = (opened <= (symbol_level + card_level) / 2).astype(np.uint8)
    dark = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    _count, labels = cv2.connectedComponents(dark)
    centre = labels[max(0, y - y0 - core):y - y0 + core, max(0, x - x0 - core):x - x0 + core]
    inside = centre[centre > 0]
    if inside.size < centre.size // 4:
        return None
    label = int(np.bincount(inside).argmax())  # the dark patch under the point, light modules aside
    blob = (labels == label).astype(np.uint8)
    if blob[0].any() or blob[-1].any() or blob[:, 0].any() or blob[:, -1].any():
        return None  # the dark patch runs out of the window: background, not a symbol
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    contour = max(contours, key=cv2.contourArea)
    (_cx, _cy), (w, h), _angle = rect = cv2.minAreaRect(contour)
    if min(w, h) < 12 or max(w, h) > 1.6 * min(w, h) or cv2.contourArea(contour) < 0.6 * w * h:
        return None
    return (cv2.boxPoints(rect) + np.float32([x0, y0])).astype(np.float32)
