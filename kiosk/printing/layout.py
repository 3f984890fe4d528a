"""A small block layout for receipt-width slips: text, QR codes, rules and space, drawn with Pillow.

Sizes are in millimetres of paper; the printer's resolution (203 dpi, 8 dots/mm on nearly every
thermal printer) turns them into dots. Text wraps at word boundaries and never runs off the paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, Union

import qrcode
from PIL import Image, ImageDraw, ImageFont

DOTS_PER_MM = 8  # 203 dpi
MARGIN_MM = 2.0

Align = Literal["left", "center", "right"]

_FONT_DIRS = (
    Path(__file__).resolve().parents[2] / "assets" / "fonts",
    Path("/usr/share/fonts/truetype/dejavu"),
)


@lru_cache(maxsize=None)
def font_path(bold: bool = False) -> Path:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in _FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(f"font {name} not found (install Debian's fonts-dejavu-core)")


@lru_cache(maxsize=64)
def _font(size_px: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(bold)), size_px)


@dataclass(frozen=True)
class Text:
    text: str
    size_mm: float = 3.0  # height of a capital letter
    bold: bool = False
    align: Align = "left"


@dataclass(frozen=True)
class QR:
    data: str
    size_mm: float = 30.0


@dataclass(frozen=True)
class Rule:
    dashed: bool = False


@dataclass(frozen=True)
class Space:
    mm: float = 2.0


Block = Union[Text, QR, Rule, Space]


def _font_for_cap_height(cap_mm: float, bold: bool) -> ImageFont.FreeTypeFont:
    # DejaVu Sans capitals are 0.73 em tall.
    return _font(max(8, round(cap_mm * DOTS_PER_MM / 0.73)), bold)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if font.getlength(candidate) <= width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
            while font.getlength(line) > width and len(line) > 1:  # a word wider than the paper
                cut = len(line)
                while cut > 1 and font.getlength(line[:cut]) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def _qr_image(data: str, size_px: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=1)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    modules = code.get_matrix()
    box = max(2, size_px // len(modules))
    image = Image.new("1", (len(modules) * box,) * 2, 1)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle([x * box, y * box, (x + 1) * box - 1, (y + 1) * box - 1], fill=0)
    return image


def render(blocks: list[Block], width_dots: int) -> Image.Image:
    """Draw ``blocks`` top to bottom on paper ``width_dots`` wide; returns a 1-bit image."""
    margin = round(MARGIN_MM * DOTS_PER_MM)
    inner = width_dots - 2 * margin
    pieces: list[tuple[Image.Image, Align]] = []
    for block in blocks:
        if isinstance(block, Text):
            font = _font_for_cap_height(block.size_mm, block.bold)
            ascent, descent = font.getmetrics()
            for line in _wrap(block.text, font, inner):
                piece = Image.new("1", (max(1, round(font.getlength(line))), ascent + descent), 1)
                ImageDraw.Draw(piece).text((0, 0), line, font=font, fill=0)
                pieces.append((piece, block.align))
        elif isinstance(block, QR):
            size = min(inner, round(block.size_mm * DOTS_PER_MM))
            pieces.append((_qr_image(block.data, size), "center"))
        elif isinstance(block, Rule):
            piece = Image.new("1", (inner, 5), 1)
            draw = ImageDraw.Draw(piece)
            step = 12 if block.dashed else inner
            for x in range(0, inner, step):
                draw.line([(x, 2), (min(inner, x + (8 if block.dashed else inner)), 2)], fill=0, width=2)
            pieces.append((piece, "left"))
        else:
            pieces.append((Image.new("1", (1, round(block.mm * DOTS_PER_MM)), 1), "left"))
    height = sum(p.height for p, _ in pieces) + 2 * margin
    paper = Image.new("1", (width_dots, height), 1)
    y = margin
    for piece, align in pieces:
        if align == "center":
            x = margin + (inner - piece.width) // 2
        elif align == "right":
            x = margin + inner - piece.width
        else:
            x = margin
        paper.paste(piece, (x, y))
        y += piece.height
    return paper
