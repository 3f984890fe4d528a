"""The paper the ESC/POS renderer prints on: a growing canvas, character cells and the line being set.

Everything drawn is a *mask*: a Pillow ``L`` image where 255 is ink. The paper is white with black
ink; cut marks are drawn in grey so that thresholding at 128 sees only what the printer printed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {False: "DejaVuSansMono.ttf", True: "DejaVuSansMono-Bold.ttf"}
#: For characters the monospaced face lacks (Hebrew, Arabic, …).
FALLBACK_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
CUT_GREY = 160
TOP_MARGIN = 16
BOTTOM_MARGIN = 24


@dataclass(frozen=True)
class CellFont:
    """A printer font: cell size in dots and the TrueType size that fills it."""

    width: int
    height: int
    size: int


#: Font A (12×24 dots, 48 columns on 80 mm paper) and font B (9×17 dots, 64 columns).
FONTS = {0: CellFont(12, 24, 20), 1: CellFont(9, 17, 14)}


class MissingFont(RuntimeError):
    pass


@lru_cache(maxsize=None)
def _truetype(bold: bool, size: int, fallback: bool = False) -> ImageFont.FreeTypeFont:
    path = FONT_DIR / (FALLBACK_FILES if fallback else FONT_FILES)[bold]
    try:
        return ImageFont.truetype(str(path), size)
    except OSError as err:
        raise MissingFont(f"cannot load {path} (install the Debian package fonts-dejavu-core)") from err


def _drawn(face: ImageFont.FreeTypeFont, ch: str) -> bytes:
    probe = Image.new("L", (48, 48), 0)
    ImageDraw.Draw(probe).text((8, 8), ch, fill=255, font=face)
    return probe.tobytes()


@lru_cache(maxsize=4096)
def _in_monospace(ch: str) -> bool:
    """Whether DejaVu Sans Mono draws ``ch`` (rather than its missing-glyph box)."""
    face = _truetype(False, 20)
    return _drawn(face, ch) != _drawn(face, "\ue000")


@lru_cache(maxsize=4096)
def glyph(text: str, font: int, bold: bool, width: int, height: int) -> tuple[Image.Image, int]:
    """The mask of one character cell and how many rows of it lie above the cell (room for accents).

    The cell is ``font.width × width`` dots wide and ``font.height × height`` dots tall. The glyph is
    drawn at the larger of the two scales and shrunk along the other axis, like the printer's own
    stretching of its bitmap fonts but without blurring.
    """
    spec = FONTS[font]
    scale = max(width, height)
    cell_w, cell_h, pad = spec.width * scale, spec.height * scale, spec.height // 3 * scale
    mask = Image.new("L", (cell_w, pad + cell_h), 0)
    if text.strip():
        face = _face(text, bold, spec.size * scale, cell_w)
        left, _top, right, _bottom = face.getbbox(text, anchor="ms")
        drawn_w = max(cell_w, right - left + 2)
        drawn = Image.new("L", (drawn_w, mask.height), 0)
        baseline = pad + cell_h - face.getmetrics()[1]
        x = drawn_w / 2
        if x + left < 0 or x + right > drawn_w:
            x -= (left + right) / 2
        ImageDraw.Draw(drawn).text((x, baseline), text, fill=255, font=face, anchor="ms")
        mask = drawn if drawn_w == cell_w else drawn.resize((cell_w, mask.height), Image.LANCZOS)
    above = spec.height // 3 * height
    if width != scale or height != scale:
        mask = mask.resize((spec.width * width, above + spec.height * height), Image.LANCZOS)
    return mask, above


def _face(text: str, bold: bool, size: int, cell_w: int) -> ImageFont.FreeTypeFont:
    """DejaVu Sans Mono, or DejaVu Sans where Mono lacks the character or sets its accent beside it."""
    mono = _truetype(bold, size)
    if _in_monospace(text[0]):
        left, _top, right, _bottom = mono.getbbox(text, anchor="ms")
        if -cell_w / 2 - 1 <= left and right <= cell_w / 2 + 1:
            return mono
    return _truetype(bold, size, fallback=True)


@dataclass
class Item:
    """Something set on the current line: a character cell or a bit image, bottom-aligned."""

    x: int
    width: int
    height: int
    mask: Image.Image | None = None
    above: int = 0  # rows of ``mask`` drawn above the item's box
    text: str = ""
    kind: str = "char"  # "char", "user" (a user-defined character) or "image"
    style: tuple = ()
    underline: int = 0
    reverse: bool = False


@dataclass
class Line:
    items: list[Item] = field(default_factory=list)
    x: int = 0

    @property
    def empty(self) -> bool:
        return not self.items

    @property
    def height(self) -> int:
        return max((item.height for item in self.items), default=0)

    @property
    def right(self) -> int:
        return max((item.x + item.width for item in self.items), default=0)

    @property
    def text(self) -> str | None:
        """The line's characters (NFC), or ``None`` for a line of bit images only."""
        cells = [item.text for item in self.items if item.kind != "image"]
        if self.items and not cells:
            return None
        return unicodedata.normalize("NFC", "".join(cells))


class Paper:
    """A strip of paper ``dots`` wide (plus margins) that grows as lines are printed."""

    def __init__(self, dots: int, *, margin: int = 32, max_height: int = 40_000):
        self.dots = dots
        self.left = margin
        self.width = dots + 2 * margin
        self.max_height = max_height
        self.y = TOP_MARGIN
        self.clipped = False
        self._canvas = Image.new("L", (self.width, 2048), 255)

    def _room(self, bottom: int) -> bool:
        if bottom > self.max_height:
            self.clipped = True
            return False
        if bottom > self._canvas.height:
            grown = Image.new("L", (self.width, min(self.max_height, max(bottom, 2 * self._canvas.height))), 255)
            grown.paste(self._canvas, (0, 0))
            self._canvas = grown
        return True

    def ink(self, mask: Image.Image, x: int, y: int) -> None:
        """Print ``mask`` with its top-left corner at ``x`` dots into the printable area, row ``y``."""
        if mask.width == 0 or mask.height == 0 or not self._room(y + mask.height):
            return
        self._canvas.paste(0, (self.left + x, max(0, y)), mask if y >= 0 else mask.crop((0, -y, mask.width, mask.height)))

    def feed(self, dots: int) -> None:
        self.y = min(self.y + max(0, dots), self.max_height)

    def print_line(self, line: Line, offset: int, feed: int) -> int:
        """Print ``line`` shifted ``offset`` dots right, then feed ``feed`` dots (at least its height)."""
        height = line.height
        for item in line.items:
            top = self.y + height - item.height
            if item.reverse:
                box = Image.new("L", (item.width, item.height), 255)
                if item.mask is not None:
                    box.paste(0, (0, 0), item.mask.crop((0, item.above, item.mask.width, item.above + item.height)))
                self.ink(box, offset + item.x, top)
            elif item.mask is not None:
                self.ink(item.mask, offset + item.x, top - item.above)
            if item.underline:
                bar = Image.new("L", (item.width, item.underline), 255)
                self.ink(bar, offset + item.x, top + item.height - item.underline)
        top = self.y
        self.feed(max(feed, height))
        return top

    def cut(self, partial: bool) -> int:
        """Draw a dashed cut line across the paper (a partial cut leaves the middle uncut)."""
        if not self._room(self.y + 2):
            return self.y
        draw = ImageDraw.Draw(self._canvas)
        middle = self.width // 2
        for x in range(0, self.width, 12):
            if partial and abs(x + 3 - middle) < 24:
                continue
            draw.rectangle((x, self.y, x + 6, self.y + 1), fill=CUT_GREY)
        y = self.y
        self.feed(BOTTOM_MARGIN)
        return y

    def image(self) -> Image.Image:
        bottom = min(self._canvas.height, self.y + BOTTOM_MARGIN)
        return self._canvas.crop((0, 0, self.width, bottom))


def bits_to_mask(rows: bytes, width_bytes: int, height: int, *, scale_x: int = 1, scale_y: int = 1) -> Image.Image:
    """A raster (rows of ``width_bytes`` bytes, MSB leftmost, 1 = ink) as a mask."""
    bits = np.unpackbits(np.frombuffer(rows, dtype=np.uint8)[: width_bytes * height]).reshape(height, width_bytes * 8)
    ink = np.repeat(np.repeat(bits * 255, scale_y, axis=0), scale_x, axis=1).astype(np.uint8)
    return Image.fromarray(ink)


def columns_to_mask(data: bytes, columns: int, rows_of_8: int, *, scale_x: int = 1, scale_y: int = 1) -> Image.Image:
    """An ``ESC *`` bit image (per column ``rows_of_8`` bytes, MSB at the top) as a mask."""
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8)[: columns * rows_of_8]).reshape(columns, rows_of_8 * 8)
    ink = np.repeat(np.repeat(bits.T * 255, scale_y, axis=0), scale_x, axis=1).astype(np.uint8)
    return Image.fromarray(ink)
