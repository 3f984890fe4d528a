"""Small Vietnamese test pages made in the tests: rendered with the machine's fonts, then degraded.

Every name and number is invented. Pages are small (a third of A4) so real Tesseract stays quick.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")

LINES = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Tập trung hướng dẫn người dân hoàn thiện hồ sơ.",
    "Tôi tên là Trần Thị Mỹ Duyên, sinh ngày 14/02/1988.",
    "Nơi cư trú: thôn Đông Xuyên, xã Phước Lộc.",
    "Đề nghị Ủy ban nhân dân xã cấp bản sao trích lục.",
    "Lệ phí: 15.000 đồng; thời hạn 03 ngày làm việc.",
)


def truth(lines=LINES) -> str:
    return " ".join(" ".join(lines).split())


def render(lines=LINES, size: int = 34, width: int = 1240, margin: int = 90) -> Image.Image:
    font = ImageFont.truetype(str(FONT), size)
    height = margin * 2 + int(len(lines) * size * 1.6)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((margin, margin + int(i * size * 1.6)), line, font=font, fill=0)
    return page


def on_table(page: Image.Image, tilt: float = 0.06) -> Image.Image:
    """The page photographed on a dark table, in perspective, a little soft, as a JPEG."""
    import cv2

    src = np.asarray(page.convert("RGB"))
    h, w = src.shape[:2]
    out_w, out_h = int(w * 1.25), int(h * 1.35)
    ox, oy = (out_w - w) / 2, (out_h - h) / 2
    dst = np.float32([[ox + w * tilt, oy], [ox + w - w * tilt * 0.3, oy + h * 0.04],
                      [ox + w, oy + h], [ox - w * 0.02, oy + h - h * 0.03]])
    matrix = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), dst)
    warped = cv2.warpPerspective(src, matrix, (out_w, out_h), flags=cv2.INTER_AREA, borderValue=(70, 60, 55))
    img = Image.fromarray(warped).filter(ImageFilter.GaussianBlur(0.8))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def scanned(page: Image.Image, angle: float = 2.5, seed: int = 1) -> Image.Image:
    """A flatbed scan: skewed, soft, grainy, low contrast."""
    img = page.rotate(angle, resample=Image.BICUBIC, fillcolor=255).filter(ImageFilter.GaussianBlur(1.0))
    arr = 60 + np.asarray(img, dtype=np.float32) * (200 - 60) / 255
    arr += np.random.default_rng(seed).normal(0, 8, arr.shape)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def darker(page: Image.Image, factor: float) -> Image.Image:
    return Image.fromarray((np.asarray(page, dtype=np.float32) * factor).astype(np.uint8))
