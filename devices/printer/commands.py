"""The ESC/POS command interpreter behind ``escpos_render.render``: printer state and one method per
command (text, feeds and cuts here; images in ``image_commands``, symbols in ``symbol_commands``).
Every argument is read through ``_take``, which stops cleanly at the end of a cut-off job.
"""

from __future__ import annotations

import unicodedata

from PIL import Image

from devices.printer import codepages
from devices.printer.escpos_render import Cut, PrintedImage, Rendering
from devices.printer.image_commands import ImageCommands
from devices.printer.paper import FONTS, Item, Line, Paper, glyph
from devices.printer.symbol_commands import SymbolCommands

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
LF, HT = 0x0A, 0x09
DEFAULT_LINE_SPACING = 30
MAX_SKIPPED_NOTES = 200
#: Bytes of fixed arguments after commands drawn as nothing (peripherals, status, page mode …).
ESC_FIXED = {0x3C: 0, 0x3D: 1, 0x4B: 1, 0x4C: 0, 0x52: 1, 0x53: 0, 0x54: 1, 0x55: 1,
             0x56: 1, 0x57: 8, 0x63: 2, 0x70: 3, 0x72: 1, 0x75: 1, 0x76: 0, 0x7B: 1}
GS_FIXED = {0x24: 2, 0x3A: 0, 0x45: 1, 0x49: 1, 0x50: 2, 0x54: 1, 0x5C: 2, 0x5E: 3, 0x61: 1, 0x62: 1,
            0x63: 0, 0x67: 4, 0x72: 1, 0x7A: 3}
FS_FIXED = {0x21: 1, 0x26: 0, 0x2D: 1, 0x2E: 0, 0x43: 1, 0x53: 2, 0x57: 1, 0x3F: 2, 0x70: 2, 0x32: 74}


class Interpreter(ImageCommands, SymbolCommands):
    def __init__(self, paper: Paper, result: Rendering, pages: dict[int, str]):
        self.paper = paper
        self.result = result
        self.pages = pages
        self.data = b""
        self.pos = 0
        self._esc_handlers = {
            0x20: self.esc_right_spacing, 0x21: self.esc_print_mode, 0x24: self.esc_position,
            0x25: self.esc_user_chars_on, 0x26: self.esc_user_chars, 0x28: self.skip_counted,
            0x2A: self.esc_bit_image, 0x2D: self.esc_underline, 0x32: self.esc_default_spacing,
            0x33: self.esc_spacing, 0x3F: self.esc_cancel_user_char, 0x40: self.reset, 0x44: self.esc_tabs,
            0x45: self.esc_emphasis, 0x47: self.esc_double_strike, 0x4A: self.esc_feed_dots, 0x4D: self.esc_font,
            0x5C: self.esc_relative, 0x61: self.esc_justify, 0x64: self.esc_feed_lines,
            0x65: self.esc_reverse_feed, 0x69: self.esc_cut, 0x6D: self.esc_cut, 0x74: self.esc_code_page,
        }
        self._gs_handlers = {
            0x21: self.gs_size, 0x28: self.gs_extended, 0x2A: self.gs_define_image, 0x2F: self.gs_print_image,
            0x38: self.gs_long_extended, 0x42: self.gs_reverse, 0x48: self.gs_hri, 0x4C: self.gs_left_margin,
            0x56: self.gs_cut, 0x57: self.gs_area_width, 0x66: self.gs_hri_font, 0x68: self.gs_bar_height,
            0x6B: self.gs_barcode, 0x76: self.gs_raster, 0x77: self.gs_bar_module,
        }
        self.reset()

    # --- state -----------------------------------------------------------------------------------

    def reset(self) -> None:
        self.line = Line()
        self.font = 0
        self.emphasis = self.double_strike = False
        self.underline = 0
        self.width = self.height = 1
        self.reverse = False
        self.justify = 0
        self.line_spacing = DEFAULT_LINE_SPACING
        self.right_spacing = 0
        self.table = self.pages.get(0, "CP437")
        self.left_margin = 0
        self.area = self.paper.dots
        self.tabs: list[int] | None = None
        self.bar_height, self.bar_module, self.hri, self.hri_font = 162, 3, 0, 0
        self.qr = {"model": 2, "module": 3, "ec": "L"}
        self.pdf417 = {"module": 3, "row": 3}
        self.module_2d = 3
        self.stored: dict[int, bytes] = {}
        self.graphics: tuple[Image.Image, int, int] | None = None
        self.downloaded: Image.Image | None = None
        self.user_chars_on = False
        self.user_chars: dict[int, Image.Image] = {}

    @property
    def area_width(self) -> int:
        return max(0, min(self.area, self.paper.dots - self.left_margin))

    def note(self, what: str) -> None:
        if len(self.result.skipped) < MAX_SKIPPED_NOTES:
            self.result.skipped.append(what)

    @staticmethod
    def _mode(n: int, top: int) -> int | None:
        """ESC/POS accepts both 0..top and the ASCII digits '0'..top; anything else is ignored."""
        if 0 <= n <= top:
            return n
        if 48 <= n <= 48 + top:
            return n - 48
        return None

    def _take(self, n: int) -> bytes | None:
        if n < 0 or self.pos + n > len(self.data):
            self.pos = len(self.data)
            self.result.complete = False
            return None
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def _word(self, n: int = 2) -> int | None:
        raw = self._take(n)
        return None if raw is None else int.from_bytes(raw, "little")

    # --- main loop -------------------------------------------------------------------------------

    def run(self, data: bytes) -> None:
        self.data, self.pos = data, 0
        prefixes = {ESC: self.escape, GS: self.group, FS: self.field_separator, DLE: self.realtime}
        while self.pos < len(self.data):
            byte = self.data[self.pos]
            self.pos += 1
            if byte in prefixes:
                prefixes[byte]()
            elif byte == LF:
                self.print_line(self.line_spacing)
            elif byte == HT:
                self.tab()
            elif byte >= 0x20 and byte != 0x7F:
                self.character(byte)
        self.result.unprinted = self.line.text or ""

    def escape(self) -> None:
        cmd = self._take(1)
        if cmd is None:
            return
        c = cmd[0]
        handler = self._esc_handlers.get(c)
        if handler is not None:
            handler()
        elif c in ESC_FIXED:
            self._take(ESC_FIXED[c])
            if c in (0x4B, 0x4C, 0x53, 0x54, 0x56, 0x57, 0x7B):
                self.note(f"ESC {chr(c)} (not drawn)")
        else:
            self.note(f"ESC 0x{c:02x}")

    def group(self) -> None:
        cmd = self._take(1)
        if cmd is None:
            return
        c = cmd[0]
        handler = self._gs_handlers.get(c)
        if handler is not None:
            handler()
        elif c in GS_FIXED:
            self._take(GS_FIXED[c])
        else:
            self.note(f"GS 0x{c:02x}")

    def field_separator(self) -> None:
        cmd = self._take(1)
        if cmd is None:
            return
        c = cmd[0]
        if c == 0x28:
            self.skip_counted()
        elif c == 0x71:
            self.fs_define_nv_images()
        elif c in FS_FIXED:
            self._take(FS_FIXED[c])
            if c == 0x70:
                self.note("FS p (NV image not stored here, not drawn)")
        else:
            self.note(f"FS 0x{c:02x}")

    def realtime(self) -> None:
        cmd = self._take(1)
        if cmd is None:
            return
        if cmd[0] in (0x04, 0x05):
            self._take(1)
        elif cmd[0] == 0x14:
            fn = self._take(1)
            if fn is not None:
                self._take({7: 1, 8: 7}.get(fn[0], 2))

    def skip_counted(self) -> None:
        """``ESC (``, ``FS (`` and unhandled ``GS (`` functions: fn pL pH then pL+256·pH bytes."""
        if self._take(1) is not None:
            size = self._word()
            if size is not None:
                self._take(size)

    # --- text ------------------------------------------------------------------------------------

    def character(self, byte: int) -> None:
        if self.user_chars and self.user_character(byte):
            return
        ch = codepages.glyphs(self.table)[byte]
        if ch == codepages.UNDEFINED:
            ch = "?"
        last = self.line.items[-1] if self.line.items else None
        if unicodedata.combining(ch) and last is not None and last.kind == "char":
            text = unicodedata.normalize("NFC", last.text + ch)
            last.mask, last.above = glyph(text, *last.style)
            last.text = text
            return
        spec = FONTS[self.font]
        bold = self.emphasis or self.double_strike
        cell = spec.width * self.width
        advance = cell + self.right_spacing * self.width
        if self.line.x + cell > self.area_width:
            if self.line.x == 0:
                return  # wider than the whole print area
            self.print_line(self.line_spacing)
        style = (self.font, bold, self.width, self.height)
        mask, above = glyph(ch, *style)
        self.line.items.append(Item(
            x=self.line.x, width=min(advance, self.area_width - self.line.x), height=spec.height * self.height,
            mask=mask, above=above, text=ch, style=style, underline=self.underline, reverse=self.reverse,
        ))
        self.line.x += advance

    def print_line(self, feed: int) -> None:
        offset = self.left_margin + self._shift(self.line.right)
        top = self.paper.print_line(self.line, offset, feed)
        for item in self.line.items:
            if item.kind == "image":
                left, bottom = self.paper.left + offset + item.x, top + self.line.height
                box = (left, bottom - item.height, left + item.width, bottom)
                self.result.images.append(PrintedImage("ESC *", item.width, item.height, box))
        text = self.line.text
        if text is not None:
            self.result.lines.append(text)
        self.line = Line()

    def flush(self) -> None:
        """Print what is in the line buffer before an image, a symbol or a cut."""
        if not self.line.empty:
            self.print_line(0)

    def _shift(self, width: int) -> int:
        room = max(0, self.area_width - width)
        return (0, room // 2, room)[self.justify]

    def tab(self) -> None:
        advance = FONTS[self.font].width * self.width + self.right_spacing * self.width
        columns = self.tabs if self.tabs is not None else range(8, 256, 8)
        for column in columns:
            if column * advance > self.line.x:
                if column * advance < self.area_width:
                    self.line.x = column * advance
                return

    def esc_right_spacing(self) -> None:
        n = self._take(1)
        if n is not None:
            self.right_spacing = n[0]

    def esc_print_mode(self) -> None:
        n = self._take(1)
        if n is not None:
            n = n[0]
            self.font = n & 1
            self.emphasis = bool(n & 0x08)
            self.height = 2 if n & 0x10 else 1
            self.width = 2 if n & 0x20 else 1
            self.underline = 1 if n & 0x80 else 0

    def esc_position(self) -> None:
        x = self._word()
        if x is not None and x < self.area_width:
            self.line.x = x

    def esc_relative(self) -> None:
        raw = self._take(2)
        if raw is not None:
            x = self.line.x + int.from_bytes(raw, "little", signed=True)
            if 0 <= x < self.area_width:
                self.line.x = x

    def esc_underline(self) -> None:
        n = self._take(1)
        if n is not None and self._mode(n[0], 2) is not None:
            self.underline = self._mode(n[0], 2)

    def esc_default_spacing(self) -> None:
        self.line_spacing = DEFAULT_LINE_SPACING

    def esc_spacing(self) -> None:
        n = self._take(1)
        if n is not None:
            self.line_spacing = n[0]

    def esc_tabs(self) -> None:
        columns: list[int] = []
        while len(columns) <= 32:
            n = self._take(1)
            if n is None or n[0] == 0:
                break
            if not columns or n[0] > columns[-1]:
                columns.append(n[0])
        self.tabs = columns

    def esc_emphasis(self) -> None:
        n = self._take(1)
        if n is not None:
            self.emphasis = bool(n[0] & 1)

    def esc_double_strike(self) -> None:
        n = self._take(1)
        if n is not None:
            self.double_strike = bool(n[0] & 1)

    def esc_font(self) -> None:
        n = self._take(1)
        if n is not None and self._mode(n[0], 2) is not None:
            self.font = 1 if self._mode(n[0], 2) else 0

    def esc_justify(self) -> None:
        n = self._take(1)
        if n is not None and self._mode(n[0], 2) is not None:
            self.justify = self._mode(n[0], 2)

    def esc_feed_dots(self) -> None:
        n = self._take(1)
        if n is not None:
            self.print_line(n[0])

    def esc_feed_lines(self) -> None:
        n = self._take(1)
        if n is None:
            return
        self.print_line(self.line_spacing if n[0] else 0)
        for _ in range(n[0] - 1):
            self.print_line(self.line_spacing)

    def esc_reverse_feed(self) -> None:
        if self._take(1) is not None:
            self.flush()
            self.note("ESC e (reverse feed not drawn)")

    def esc_code_page(self) -> None:
        n = self._take(1)
        if n is None:
            return
        table = self.pages.get(n[0])
        if table is None:
            self.note(f"ESC t {n[0]} (no such code page on this printer)")
            return
        self.table = table
        if not self.result.code_pages or self.result.code_pages[-1] != table:
            self.result.code_pages.append(table)

    def gs_size(self) -> None:
        n = self._take(1)
        if n is not None:
            self.width = min(8, (n[0] >> 4 & 7) + 1)
            self.height = min(8, (n[0] & 7) + 1)

    def gs_reverse(self) -> None:
        n = self._take(1)
        if n is not None:
            self.reverse = bool(n[0] & 1)

    def gs_left_margin(self) -> None:
        n = self._word()
        if n is not None and self.line.empty:
            self.left_margin = min(n, self.paper.dots)

    def gs_area_width(self) -> None:
        n = self._word()
        if n is not None and self.line.empty:
            self.area = n or self.paper.dots

    # --- cuts ------------------------------------------------------------------------------------

    def cut(self, partial: bool, feed: int = 0) -> None:
        self.flush()
        self.paper.feed(feed)
        self.result.cuts.append(Cut("partial" if partial else "full", self.paper.cut(partial)))

    def esc_cut(self) -> None:
        self.cut(partial=True)

    def gs_cut(self) -> None:
        m = self._take(1)
        if m is None:
            return
        m = m[0]
        if m in (0, 48, 1, 49):
            self.cut(partial=m in (1, 49))
        elif m in (65, 66, 97, 98, 103, 104):
            n = self._take(1)
            if n is not None:
                self.cut(partial=m in (66, 98, 104), feed=n[0])
        else:
            self.note(f"GS V {m}")

    # --- blocks (images and symbols) -----------------------------------------------------------

    def place(self, mask: Image.Image, command: str) -> tuple[int, int, int, int]:
        """Print a block (image or symbol) on lines of its own, justified; return its box."""
        self.flush()
        if mask.width > self.area_width:
            mask = mask.crop((0, 0, self.area_width, mask.height))
        x = self.left_margin + self._shift(mask.width)
        top = self.paper.y
        self.paper.ink(mask, x, top)
        self.paper.feed(mask.height)
        box = (self.paper.left + x, top, self.paper.left + x + mask.width, top + mask.height)
        if command:
            self.result.images.append(PrintedImage(command, mask.width, mask.height, box))
        return box

    def gs_extended(self) -> None:
        head = self._take(3)
        if head is None:
            return
        fn, size = head[0], head[1] | head[2] << 8
        body = self._take(size)
        if body is None:
            return
        if fn == 0x6B:
            self.two_d(body)
        elif fn == 0x4C:
            self.graphics_function(body)

    def gs_long_extended(self) -> None:
        head = self._take(5)
        if head is None:
            return
        size = int.from_bytes(head[1:5], "little")
        body = self._take(size)
        if body is not None and head[0] == 0x4C:
            self.graphics_function(body)
