"""The image variants and crops the decoding pipeline (``decode``) tries: enlarging, sharpening,
Wiener deblurring, adaptive thresholds, contrast stretching, and boxes of dense square texture where a
QR code may be."""

from __future__ import annotations

import cv2
import numpy as np

CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))


def enlarge(gray: np.ndarray, factor: float) -> np.ndarray:
    if factor == 1:
        return gray
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


def sharpen(gray: np.ndarray, sigma: float = 1.5, amount: float = 1.5) -> np.ndarray:
    blurred = cv2.GaussianBlur(gray, (0, 0), sigma)
    return cv2.addWeighted(gray, 1 + amount, blurred, -amount, 0)


def deblur(gray: np.ndarray, sigma: float, noise: float = 0.005) -> np.ndarray:
    """Wiener deconvolution against a Gaussian blur of ``sigma`` pixels."""
    image = gray.astype(np.float32) / 255.0
    size = int(sigma * 6) | 1
    kernel = cv2.getGaussianKernel(size, sigma)
    psf = np.zeros_like(image)
    psf[:size, :size] = kernel @ kernel.T
    psf = np.roll(psf, (-(size // 2), -(size // 2)), axis=(0, 1))
    blur = np.fft.rfft2(psf)
    restored = np.fft.irfft2(np.fft.rfft2(image) * np.conj(blur) / (np.abs(blur) ** 2 + noise), s=image.shape)
    return np.clip(restored * 255.0, 0, 255).astype(np.uint8)


def adaptive(gray: np.ndarray) -> np.ndarray:
    block = max(15, (min(gray.shape) // 16) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 4)


def normalise(gray: np.ndarray) -> np.ndarray:
    return cv2.normalize(gray, None, 0, 255, cv2.NORM_MINMAX)


def candidate_regions(gray: np.ndarray, limit: int = 3) -> list[tuple[int, int, int, int]]:
    """Boxes ``(x, y, w, h)`` of dense, roughly square, high-contrast texture: where a QR code may be."""
    scale = 0.5 if max(gray.shape) >= 600 else 1.0
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale != 1 else gray
    gradient = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    density = cv2.blur(gradient, (11, 11))
    threshold = max(12.0, float(np.percentile(density, 99)) * 0.6)
    mask = (density >= threshold).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    scored = []
    for index in range(1, count):
        x, y, w, h, area = stats[index]
        if w < 20 or h < 20 or w > 5 * h or h > 5 * w:
            continue
        score = float(density[labels == index].mean()) * min(w, h) / max(w, h) * area / (w * h)
        scored.append((score, x, y, w, h))
    scored.sort(reverse=True)
    return [(int(x / scale), int(y / scale), int(w / scale), int(h / scale)) for _s, x, y, w, h in scored[:limit]]


def box_of(position) -> tuple[int, int, int, int]:
    points = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    xs = [p.x for p in points]
    ys = [p.y for p in points]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def crop(gray: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, h = box
    margin = max(w, h) // 5 + 4
    height, width = gray.shape
    return gray[max(0, y - margin):min(height, y + h + margin), max(0, x - margin):min(width, x + w + margin)]


def overlaps(a, b) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    return ix * iy > 0.5 * min(aw * ah, bw * bh)
