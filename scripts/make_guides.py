"""Draw the guidance clips of a few procedures into ``assets/guides/<code>/`` (pictures and clip.json).

    .venv/bin/python scripts/make_guides.py [--out assets/guides]

Each clip is a handful of steps; a step is a pictogram (the papers to bring, the ID card, the kiosk,
the counter) drawn with Pillow and the Material icon font, and a caption in Vietnamese and English
that the kiosk shows under the picture and speaks. The pictures are small palette PNGs (a few tens of
KB); rerunning the script draws the same files again. To change a caption, edit this script (or the
clip.json it wrote) and rerun.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screens import fonts  # noqa: E402  (no Kivy: the icon table and font paths only)
from screens.theme import TEXT_FONT, TEXT_FONT_BOLD  # noqa: E402

SIZE = (800, 500)
PAPER = "#F5F7FA"
INK = "#0D1B2A"
BLUE = "#0A3D7A"
GREEN = "#0F4D2C"
PALE = "#DCE3EC"
WHITE = "#FFFFFF"
MAX_BYTES = 60_000


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(TEXT_FONT_BOLD if bold else TEXT_FONT, size)


def icon(draw: ImageDraw.ImageDraw, name: str, centre: tuple[int, int], size: int, fill: str = BLUE) -> None:
    glyph = ImageFont.truetype(fonts.ICON_FONT, size)
    draw.text(centre, fonts.icon(name), font=glyph, fill=fill, anchor="mm")


def canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", SIZE, PAPER)
    return image, ImageDraw.Draw(image)


def sheet(draw, box, heading: str, ticked: bool = True) -> None:
    """A paper with a heading, lines of text and, when ``ticked``, a green tick: a document to bring."""
    x0, y0, x1, y1 = box
    draw.rounded_rectangle((x0 + 8, y0 + 8, x1 + 8, y1 + 8), 10, fill=PALE)
    draw.rounded_rectangle(box, 10, fill=WHITE, outline=INK, width=4)
    width = x1 - x0 - 40
    size = 26
    while size > 14 and draw.textlength(heading, font=font(size, True)) > width:
        size -= 1
    draw.text(((x0 + x1) // 2, y0 + 40), heading, font=font(size, True), fill=INK, anchor="mm")
    for row in range(6):
        y = y0 + 90 + row * 30
        if y > y1 - 50:
            break
        draw.line((x0 + 24, y, x1 - (24 if row % 3 else 70), y), fill=INK, width=3)
    if ticked:
        cx, cy = x1 - 10, y1 - 10
        draw.ellipse((cx - 36, cy - 36, cx + 36, cy + 36), fill=GREEN)
        icon(draw, "check", (cx, cy), 56, WHITE)


def papers(*headings: str) -> Image.Image:
    image, draw = canvas()
    count = len(headings)
    width = min(230, (SIZE[0] - 60 * (count + 1)) // count)
    left = (SIZE[0] - count * width - (count - 1) * 60) // 2
    for i, heading in enumerate(headings):
        x = left + i * (width + 60)
        sheet(draw, (x, 70, x + width, 420), heading)
    return image


def id_card(label: str = "CĂN CƯỚC", count: int = 1) -> Image.Image:
    image, draw = canvas()
    width, gap = 300, 60
    left = (SIZE[0] - count * width - (count - 1) * gap) // 2
    for i in range(count):
        x, y = left + i * (width + gap), 130
        draw.rounded_rectangle((x + 8, y + 8, x + width + 8, y + 200), 18, fill=PALE)
        draw.rounded_rectangle((x, y, x + width, y + 192), 18, fill=WHITE, outline=BLUE, width=5)
        draw.rectangle((x + 5, y + 5, x + width - 5, y + 44), fill=BLUE)
        draw.text((x + width // 2, y + 25), label, font=font(22, True), fill=WHITE, anchor="mm")
        icon(draw, "person", (x + 62, y + 118), 96, INK)
        for row in range(7):  # a QR-like block: the code the kiosk reads
            for col in range(7):
                if (row * 3 + col * 5 + row * col) % 4 != 1 or row in (0, 6) or col in (0, 6):
                    left, top = x + 180 + col * 14, y + 66 + row * 14
                    draw.rectangle((left, top, left + 12, top + 12), fill=INK)
    return image


def kiosk_scan() -> Image.Image:
    image, draw = canvas()
    draw.rounded_rectangle((250, 40, 550, 470), 20, fill=WHITE, outline=INK, width=5)
    draw.rounded_rectangle((280, 70, 520, 250), 8, fill=BLUE)
    icon(draw, "badge", (400, 160), 110, WHITE)
    draw.rectangle((330, 300, 470, 320), fill=INK)
    icon(draw, "qr_code_scanner", (400, 380), 90, INK)
    draw.rounded_rectangle((640, 330, 760, 410), 10, fill=WHITE, outline=BLUE, width=4)
    icon(draw, "person", (672, 376), 44, INK)
    draw.rectangle((705, 350, 745, 390), fill=INK)
    icon(draw, "arrow_back", (580, 370), 70, GREEN)
    icon(draw, "document_scanner", (140, 200), 120, BLUE)
    return image


def counter(*icons: str) -> Image.Image:
    image, draw = canvas()
    draw.rectangle((120, 300, 680, 330), fill=INK)
    draw.rectangle((150, 330, 650, 460), fill=PALE, outline=INK, width=4)
    draw.rounded_rectangle((300, 40, 500, 100), 10, fill=BLUE)
    draw.text((400, 70), "QUẦY", font=font(34, True), fill=WHITE, anchor="mm")
    icon(draw, "support_agent", (250, 220), 150, INK)
    icon(draw, "description", (560, 250), 100, BLUE)
    for i, name in enumerate(icons):
        icon(draw, name, (250 + i * 150, 400), 80, GREEN)
    return image


def people() -> Image.Image:
    image, draw = canvas()
    icon(draw, "person", (260, 260), 260, INK)
    icon(draw, "person", (540, 260), 260, INK)
    icon(draw, "favorite", (400, 150), 90, "#8E1B1B")
    return image


CLIPS = {
    "HT-KS": [
        (lambda: papers("TỜ KHAI", "GIẤY CHỨNG SINH"), 6,
         "Mang theo tờ khai đăng ký khai sinh và giấy chứng sinh của bé.",
         "Bring the birth registration form and the baby's birth certificate from the hospital."),
        (lambda: id_card(), 5,
         "Mang theo căn cước công dân của cha hoặc mẹ.",
         "Bring the chip ID card of the mother or the father."),
        (kiosk_scan, 6,
         "Tại máy này, quét mã QR trên căn cước, rồi chụp từng giấy tờ.",
         "At this kiosk, scan the QR code on the ID card, then scan each paper."),
        (lambda: counter("schedule", "local_post_office", "computer"), 6,
         "Nhận giấy khai sinh ngay trong ngày làm việc: tại quầy, qua bưu điện hoặc bản điện tử.",
         "Get the birth certificate the same working day: at the counter, by post or electronically."),
    ],
    "HT-KH": [
        (people, 5,
         "Cả hai người cùng có mặt khi đăng ký kết hôn.",
         "Both partners come in person to register the marriage."),
        (lambda: papers("TỜ KHAI", "XÁC NHẬN HÔN NHÂN"), 7,
         "Mang tờ khai đăng ký kết hôn; nếu đăng ký ngoài nơi cư trú, mang thêm giấy xác nhận tình trạng hôn nhân.",
         "Bring the marriage registration form; away from your residence, also the certificate of marital status."),
        (lambda: id_card(count=2), 5,
         "Mỗi người mang căn cước công dân của mình.",
         "Each partner brings their own chip ID card."),
        (lambda: counter("schedule", "draw"), 6,
         "Nhận giấy chứng nhận kết hôn tại quầy; cả hai cùng ký vào sổ.",
         "Collect the marriage certificate at the counter; both partners sign the register."),
    ],
    "CT-BS": [
        (lambda: papers("BẢN CHÍNH", "BẢN SAO"), 6,
         "Mang bản chính giấy tờ và bản sao cần chứng thực.",
         "Bring the original document and the copy to be certified."),
        (lambda: counter("payments"), 6,
         "Nộp tại quầy chứng thực: 2.000 đồng mỗi trang, từ trang thứ ba 1.000 đồng.",
         "Hand them in at the certification counter: 2,000 dong a page, 1,000 dong from the third page."),
        (lambda: counter("schedule"), 5,
         "Nhận bản sao đã chứng thực ngay trong ngày làm việc.",
         "Collect the certified copy the same working day."),
    ],
}


def save(image: Image.Image, path: Path) -> int:
    small = image.quantize(colors=16, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{path} is {size} bytes, over {MAX_BYTES}")
    return size


def make(out: Path) -> list[Path]:
    written = []
    for code, steps in CLIPS.items():
        folder = out / code
        folder.mkdir(parents=True, exist_ok=True)
        clip = {"procedure": code, "steps": []}
        for number, (draw, seconds, vi, en) in enumerate(steps, 1):
            name = f"{number:02d}.png"
            save(draw(), folder / name)
            written.append(folder / name)
            clip["steps"].append({"image": name, "caption": {"vi": vi, "en": en}, "seconds": seconds})
        (folder / "clip.json").write_text(json.dumps(clip, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(folder / "clip.json")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "guides")
    args = parser.parse_args(argv)
    for path in make(args.out):
        print(f"{path.relative_to(args.out)}\t{path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
