"""Invented printed pages for the digitize screen tests, drawn here (nothing copied from elsewhere).

Each page is a white sheet on a darker desk, as a document camera sees it, with a few lines of
Vietnamese in a large clear font so Tesseract reads it quickly. ``dark_page`` is the same sheet in
far too little light, which the quality check must ask to retake.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

PAGES = {
    "first": ("GIẤY ĐỀ NGHỊ", "Họ và tên: Nguyễn Văn Bình", "Nơi cư trú: xã Hợp Thịnh"),
    "second": ("BẢN KHAI", "Ngày sinh: 12 tháng 3 năm 1985", "Nghề nghiệp: giáo viên"),
    "retaken": ("XÁC NHẬN", "Số điện thoại: 0912 345 678", "Đã kiểm tra hồ sơ"),
}
#: One word of each page that must be read back (and found in the PDF's text layer).
KEY_WORDS = {"first": "NGHỊ", "second": "KHAI", "retaken": "NHẬN"}


def page(lines: tuple[str, ...], size: tuple[int, int] = (900, 1100), smudge: bool = False) -> Image.Image:
    desk = Image.new("RGB", size, (70, 62, 55))
    sheet = Image.new("RGB", (size[0] - 160, size[1] - 160), (250, 250, 246))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.truetype("DejaVuSans.ttf", 34)
    y = 90
    for line in lines:
        draw.text((70, y), line, font=font, fill=(20, 20, 20))
        y += 70
    if smudge:  # a word half rubbed out: read, but with little confidence
        box = (70, y + 10, 330, y + 50)
        draw.text(box[:2], "Ghi chú mờ", font=font, fill=(20, 20, 20))
        patch = sheet.crop(box).filter(ImageFilter.GaussianBlur(3))
        sheet.paste(patch, box[:2])
    desk.paste(sheet, (80, 80))
    return desk


def dark_page() -> Image.Image:
    return page(PAGES["first"]).point(lambda v: v // 6)


def write_pages(folder: Path, names: list[str]) -> Path:
    """Write the named pages (``dark`` for the dark one) as ``01-<name>.png``… into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    for number, name in enumerate(names, 1):
        image = dark_page() if name == "dark" else page(PAGES[name], smudge=name == "second")
        image.save(folder / f"{number:02d}-{name}.png")
    return folder
