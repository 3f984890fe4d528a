"""Turn slip blocks (``layout.Text``/``QR``/``Rule``/``Space``) into a compact ESC/POS job.

A slip drawn whole as a raster is about 54 KB at 576 dots wide: nearly 5 s over a 115200-baud serial
link. Most of a slip does not need to be a picture, so each block is sent in the cheapest form that
still prints correctly on any printer:

* text that is plain ASCII (the number ``A012``, a date, an English line) in the printer's own font,
  enlarged with ``GS !`` to the size asked for;
* text with Vietnamese letters as a raster strip (``GS v 0``) drawn with a Vietnamese-capable font and
  trimmed to its ink, or, when ``text_mode`` is ``cp1258`` or ``tcvn3``, in the printer's font through
  that code page (a line the code page cannot hold falls back to a raster strip);
* QR codes with the printer's own QR command (``GS ( k``);
* rules as a strip two dots high, space as a paper feed (``ESC J``).

The job is composed with python-escpos's ``Dummy`` printer and handed to a ``Printer`` port as one
piece. The appointment and pickup slips use the same function.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import qrcode
from PIL import Image, ImageChops, ImageDraw

from devices.printer import codepages
from devices.printer.encode import dummy
from kiosk.printing import layout
from kiosk.printing.layout import QR, Block, Rule, Space, Text

TEXT_MODES = ("raster", "cp1258", "tcvn3")
ESC = b"\x1b"
GS = b"\x1d"
#: The printer's font A: a 12 × 24 dot cell whose capitals are about 2 mm tall at size 1.
CELL_WIDTH = 12
NATIVE_CAP_MM = 2.0
MAX_MAGNIFY = 8
#: Dots fed between blocks, as a fraction of the block's capital height.
LEADING = 0.35
MAX_LEADING = 16
ALIGN = {"left": 0, "center": 1, "right": 2}


@dataclass
class SlipJob:
    """A complete job and what it is made of (for the benchmark and the tests)."""

    data: bytes
    dots: int
    text_mode: str
    #: Bytes spent on raster strips (``GS v 0`` headers and image data).
    raster_bytes: int = 0
    #: Blocks sent as text in the printer's font, and as pictures.
    native_lines: list[str] = field(default_factory=list)
    raster_lines: list[str] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.data)

    def seconds_at(self, baud: int) -> float:
        """How long a serial link of ``baud`` (8N1: ten bits a byte) takes to carry the job."""
        return len(self.data) * 10 / baud


def magnification(size_mm: float, text: str, dots: int) -> int:
    """The ``GS !`` scale (1-8) whose capitals come closest to ``size_mm`` and whose longest word fits."""
    scale = max(1, min(MAX_MAGNIFY, round(size_mm / NATIVE_CAP_MM)))
    longest = max((len(word) for word in text.split()), default=1)
    while scale > 1 and longest * CELL_WIDTH * scale > dots:
        scale -= 1
    return scale


def is_plain(text: str) -> bool:
    """Text every printer prints in its own font: printable ASCII."""
    return all(" " <= ch <= "~" for ch in text.replace("\n", " "))


@lru_cache(maxsize=64)
def qr_module_dots(data: str, size_mm: float) -> int:
    """The QR module size (1-16 dots) that makes the symbol with its quiet zone about ``size_mm`` wide."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data.encode("utf-8"))
    modules = 17 + 4 * code.best_fit() + 8  # the smallest version that holds it, and the quiet zone
    return max(1, min(16, int(size_mm * layout.DOTS_PER_MM // modules)))


@lru_cache(maxsize=512)
def trimmed_strip(block: Text, dots: int) -> Image.Image:
    """``block`` drawn as the layout draws it, cut down to its ink; a 1-bit image (shared: do not draw on it).

    Slips repeat most of their lines (the center's name, the services, the closing words), so the
    pictures are kept.
    """
    drawn = layout.render([block], dots)
    box = ImageChops.invert(drawn.convert("L")).getbbox()
    if box is None:
        return Image.new("1", (8, 1), 1)
    left, top, right, bottom = box
    return drawn.crop((left, top, right, bottom))


class _Composer:
    def __init__(self, dots: int, text_mode: str, profile: str):
        if text_mode not in TEXT_MODES:
            raise ValueError(f"text_mode must be one of {', '.join(TEXT_MODES)}, got {text_mode!r}")
        self.printer = dummy(dots)
        self.job = SlipJob(b"", dots, text_mode)
        self.profile = profile
        self.page: int | None = None
        self.align = 0
        self.printer.hw("INIT")

    def raw(self, data: bytes) -> None:
        self.printer._raw(data)

    def set_align(self, align: str) -> None:
        value = ALIGN[align]
        if value != self.align:
            self.raw(ESC + b"a" + bytes([value]))
            self.align = value

    def feed(self, dots: int) -> None:
        while dots > 0:
            step = min(255, dots)
            self.raw(ESC + b"J" + bytes([step]))
            dots -= step

    def text(self, block: Text) -> None:
        dots = self.job.dots
        plain = is_plain(block.text)
        if not plain and self.job.text_mode == "raster":
            self.strip(block)
            return
        scale = magnification(block.size_mm, block.text, dots)
        columns = max(1, dots // (CELL_WIDTH * scale))
        lines = [line for paragraph in block.text.splitlines() or [""]
                 for line in textwrap.wrap(paragraph, columns, break_long_words=True) or [""]]
        encoded = [self.encode(line) for line in lines]
        if any(part is None for part in encoded):  # the code page lacks a letter: draw the line instead
            self.strip(block)
            return
        self.set_align(block.align)
        self.raw(GS + b"!" + bytes([(scale - 1) << 4 | (scale - 1)]) + ESC + b"E" + bytes([int(block.bold)]))
        for runs in encoded:
            for page, data in runs:  # type: ignore[union-attr]
                if page is not None and page != self.page:
                    self.raw(ESC + b"t" + bytes([page]))
                    self.page = page
                self.raw(data)
            self.raw(b"\n")
        self.raw(GS + b"!\x00" + ESC + b"E\x00")
        self.job.native_lines += lines
        self.feed(min(round(block.size_mm * LEADING * layout.DOTS_PER_MM), MAX_LEADING))

    def encode(self, line: str) -> list[tuple[int | None, bytes]] | None:
        """The line as (code page, bytes) runs; ``None`` when the code page cannot print it."""
        if is_plain(line):
            return [(None, line.encode("ascii"))]
        try:
            if self.job.text_mode == "cp1258":
                return [(codepages.page_number("CP1258", self.profile), codepages.encode_cp1258(line))]
            return [(codepages.page_number(run.table, self.profile), run.data)
                    for run in codepages.split_tcvn3(unicodedata.normalize("NFC", line))]
        except (codepages.UnprintableText, ValueError):
            return None

    def strip(self, block: Text) -> None:
        picture = trimmed_strip(block, self.job.dots)
        self.image(picture, block.align)
        self.job.raster_lines.append(block.text)
        self.feed(min(round(block.size_mm * LEADING * layout.DOTS_PER_MM), MAX_LEADING))

    def image(self, picture: Image.Image, align: str) -> None:
        """A 1-bit picture as ``GS v 0`` raster rows (ink = 1), positioned with ``ESC a``."""
        picture = picture.convert("1")
        width_bytes = (picture.width + 7) // 8
        padded = Image.new("1", (width_bytes * 8, picture.height), 1)
        padded.paste(picture, (0, 0))
        rows = ImageChops.invert(padded.convert("L")).convert("1").tobytes()
        header = GS + b"v0\x00" + bytes([width_bytes & 0xFF, width_bytes >> 8,
                                          picture.height & 0xFF, picture.height >> 8])
        self.set_align(align)
        self.raw(header + rows)
        self.job.raster_bytes += len(header) + len(rows)

    def qr(self, block: QR) -> None:
        from escpos.constants import QR_ECLEVEL_M

        self.set_align("center")
        self.printer.qr(block.data, ec=QR_ECLEVEL_M, size=qr_module_dots(block.data, block.size_mm), native=True)
        self.job.qr_codes.append(block.data)
        self.feed(layout.DOTS_PER_MM)

    def rule(self, block: Rule) -> None:
        width = self.job.dots - 2 * round(layout.MARGIN_MM * layout.DOTS_PER_MM)
        picture = Image.new("1", (width, 2), 1)
        draw = ImageDraw.Draw(picture)
        if block.dashed:
            for x in range(0, width, 12):
                draw.rectangle([x, 0, min(width - 1, x + 7), 1], fill=0)
        else:
            draw.rectangle([0, 0, width - 1, 1], fill=0)
        self.image(picture, "center")
        self.feed(layout.DOTS_PER_MM)

    def finish(self, cut: bool) -> SlipJob:
        self.set_align("left")
        if cut:
            self.printer.cut()
        self.job.data = bytes(self.printer.output)
        return self.job


def slip_job(
    blocks: list[Block],
    *,
    dots: int = 576,
    text_mode: str = "raster",
    profile: str = codepages.DEFAULT_PROFILE,
    cut: bool = True,
) -> SlipJob:
    """The ESC/POS job that prints ``blocks`` on a printer ``dots`` wide, then feeds and cuts."""
    composer = _Composer(dots, text_mode, profile)
    for block in blocks:
        if isinstance(block, Text):
            composer.text(block)
        elif isinstance(block, QR):
            composer.qr(block)
        elif isinstance(block, Rule):
            composer.rule(block)
        elif isinstance(block, Space):
            composer.feed(round(block.mm * layout.DOTS_PER_MM))
        else:
            raise TypeError(f"not a slip block: {block!r}")
    return composer.finish(cut)
