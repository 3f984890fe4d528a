"""Vietnamese test pages made on this machine: rendered with the installed fonts, then degraded.

Used by ``kiosk bench ocr --generated N`` and by the digitizing tests, so the cleaning is measured on
pages nobody tuned it on. Every person, number and address here is invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
#: Fonts with Vietnamese glyphs on a Debian machine (the Liberation fonts packaged there lack them).
FONT_FILES = (
    "DejaVuSerif.ttf",
    "DejaVuSans.ttf",
    "DejaVuSerifCondensed.ttf",
    "DejaVuSansCondensed.ttf",
)

HEADINGS = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "TỜ KHAI ĐỀ NGHỊ")

SENTENCES = (
    "Kính gửi: Ủy ban nhân dân xã Tân Hưng, tỉnh Đồng Tháp.",
    "Tôi tên là {name}, sinh ngày {date}, số định danh cá nhân {id}.",
    "Nơi cư trú: thôn Đông Xuyên, xã Phước Lộc, tỉnh Quảng Ngãi.",
    "Tập trung hướng dẫn người dân hoàn thiện hồ sơ trực tuyến trước ngày {date}.",
    "Đề nghị cơ quan có thẩm quyền xem xét, cấp bản sao trích lục khai sinh cho con tôi.",
    "Lý do: bổ sung hồ sơ nhập học và hoàn thiện thủ tục đăng ký thường trú theo quy định.",
    "Hồ sơ gồm: tờ khai theo mẫu; bản sao giấy chứng nhận kết hôn; văn bản ủy quyền.",
    "Người được ưu tiên: người cao tuổi, người khuyết tật, phụ nữ mang thai.",
    "Lệ phí: miễn đối với hồ sơ nộp trực tuyến; 15.000 đồng đối với hồ sơ nộp trực tiếp.",
    "Tôi xin cam đoan những thông tin trên là đúng sự thật và chịu trách nhiệm trước pháp luật.",
    "Thời hạn giải quyết: 03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
    "Kết quả được trả tại quầy số {n} hoặc gửi qua dịch vụ bưu chính công ích.",
    "Ông {name} đã nộp phiếu đề nghị cấp giấy xác nhận tình trạng hôn nhân.",
    "Trường hợp thất lạc giấy tờ, người yêu cầu phải khai báo với công an xã nơi cư trú.",
    "Số điện thoại liên hệ: 09{phone}; thư điện tử: hotro@xa.gov.vn.",
    "Được sự đồng ý của Ủy ban nhân dân, tổ công nghệ số cộng đồng hỗ trợ người dân miễn phí.",
    "Chữ ký của người khai: đã ký; ngày {date} tại xã Hưng Khánh.",
    "Nguyễn Thị Hường, Trương Quốc Việt và Đặng Ngọc Ánh cùng thường trú tại tổ dân phố số {n}.",
)
NAMES = ("Phạm Thị Thủy", "Lê Quang Dũng", "Hoàng Ngọc Ẩn", "Vũ Thị Ước", "Đinh Xuân Trường", "Bùi Hữu Nghĩa")


@dataclass
class GeneratedPage:
    image: Image.Image
    truth: str
    kind: str
    font: str


def font_paths() -> list[Path]:
    found = []
    for name in FONT_FILES:
        for folder in FONT_DIRS:
            if (folder / name).exists():
                found.append(folder / name)
    return found


def _sentences(rng: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        template = rng.choice(SENTENCES)
        out.append(
            template.format(
                name=rng.choice(NAMES),
                date=f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1950, 2024)}",
                id=f"0{rng.randint(10**10, 10**11 - 1)}",
                n=rng.randint(1, 30),
                phone=rng.randint(10**7, 10**8 - 1),
            )
        )
    return out


def render(rng: random.Random, font_path: Path, paragraphs: int = 7, size_px: int = 50) -> tuple[Image.Image, str]:
    """A clean A4 page at 300 dpi (greyscale) and its text, whitespace collapsed."""
    width, height, margin = 2480, 3508, 240
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(font_path), size_px)
    bold = ImageFont.truetype(str(font_path), size_px + 4)
    y = margin
    words_out: list[str] = []
    for heading in HEADINGS:
        w = draw.textlength(heading, font=bold)
        draw.text(((width - w) / 2, y), heading, font=bold, fill=0)
        words_out.extend(heading.split())
        y += int(size_px * 1.6)
    y += size_px
    for _ in range(paragraphs):
        words = " ".join(_sentences(rng, rng.randint(1, 3))).split()
        line: list[str] = []
        for word in words + [None]:
            candidate = " ".join(line + [word]) if word else None
            if word and draw.textlength(candidate, font=font) <= width - 2 * margin:
                line.append(word)
                continue
            if y > height - margin - size_px * 2:
                break
            draw.text((margin, y), " ".join(line), font=font, fill=0)
            words_out.extend(line)
            y += int(size_px * 1.45)
            line = [word] if word else []
        y += int(size_px * 0.6)
    return page, " ".join(words_out)


def _noise(rng: random.Random, arr: np.ndarray, sigma: float) -> np.ndarray:
    gen = np.random.default_rng(rng.randint(0, 2**31))
    return arr + gen.standard_normal(arr.shape, dtype=np.float32) * np.float32(sigma)


def degrade_scan(rng: random.Random, page: Image.Image) -> Image.Image:
    """Flatbed-like: small skew, blur, noise, low contrast."""
    angle = rng.uniform(-3.5, 3.5)
    img = page.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.6)))
    arr = np.asarray(img, dtype=np.float32)
    low, high = rng.uniform(40, 90), rng.uniform(190, 235)
    arr = low + arr * (high - low) / 255.0
    arr = _noise(rng, arr, rng.uniform(6, 14))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def degrade_photo(rng: random.Random, page: Image.Image, *, scale: float = 0.8) -> Image.Image:
    """Phone-camera-like: page in perspective on a darker table, uneven light, blur, JPEG, smaller."""
    import cv2

    src = np.asarray(page.convert("RGB"))
    h, w = src.shape[:2]
    out_w, out_h = int(w * scale), int(h * scale)
    jitter = lambda a: rng.uniform(0.02, 0.09) * a  # noqa: E731
    dst = np.float32(
        [
            [jitter(out_w), jitter(out_h)],
            [out_w - jitter(out_w), jitter(out_h)],
            [out_w - jitter(out_w), out_h - jitter(out_h)],
            [jitter(out_w), out_h - jitter(out_h)],
        ]
    )
    matrix = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), dst)
    table = tuple(int(rng.uniform(40, 110)) for _ in range(3))
    warped = cv2.warpPerspective(src, matrix, (out_w, out_h), flags=cv2.INTER_AREA, borderValue=table)
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    cx, cy = rng.uniform(0, out_w), rng.uniform(0, out_h)
    dist = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / max(out_w, out_h)
    light = 1.0 - rng.uniform(0.15, 0.35) * dist
    arr = warped.astype(np.float32) * light[..., None] * rng.uniform(0.85, 1.0)
    arr = cv2.GaussianBlur(arr, (0, 0), rng.uniform(0.8, 1.4))
    arr = _noise(rng, arr, rng.uniform(2, 5))
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    import io

    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=rng.randint(55, 80))
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def generate(seed: int, kind: str) -> GeneratedPage:
    """One page of ``kind`` (``clean``, ``scan``, ``photo``), the same for the same seed."""
    rng = random.Random(seed)
    fonts = font_paths()
    font = fonts[seed % len(fonts)]
    page, truth = render(rng, font, paragraphs=rng.randint(4, 8), size_px=rng.randint(44, 54))
    if kind == "scan":
        page = degrade_scan(rng, page)
    elif kind == "photo":
        page = degrade_photo(rng, page)
    elif kind != "clean":
        raise ValueError(f"unknown page kind {kind!r}")
    return GeneratedPage(page, truth, kind, font.name)
