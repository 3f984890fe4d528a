"""ESC/POS symbol commands for the interpreter: 2D codes (``GS ( k``) and barcodes (``GS k``)."""

from __future__ import annotations

from PIL import Image

from devices.printer import symbols
from devices.printer.escpos_render import PrintedCode
from devices.printer.paper import FONTS, glyph

TWO_D_KINDS = {48: "pdf417", 49: "qr", 53: "aztec", 54: "datamatrix", 50: "maxicode", 51: "databar_2d",
               52: "composite"}


class SymbolCommands:
    """Mixed into ``Interpreter``; uses its state, ``_take``, ``flush`` and ``place``."""

    def two_d(self, body: bytes) -> None:
        if len(body) < 2:
            return
        cn, fn, args = body[0], body[1], body[2:]
        kind = TWO_D_KINDS.get(cn, f"2d_{cn}")
        if cn == 49 and fn == 65 and args and args[0] in (49, 50, 51):
            self.qr["model"] = args[0] - 48
        elif cn == 49 and fn == 67 and args and 1 <= args[0] <= 16:
            self.qr["module"] = args[0]
        elif cn == 49 and fn == 69 and args and args[0] in symbols.QR_EC:
            self.qr["ec"] = symbols.QR_EC[args[0]]
        elif cn == 48 and fn == 67 and args and 2 <= args[0] <= 8:
            self.pdf417["module"] = args[0]
        elif cn == 48 and fn == 68 and args and 2 <= args[0] <= 8:
            self.pdf417["row"] = args[0]
        elif cn in (53, 54) and fn == 67 and args and 1 <= args[0] <= 16:
            self.module_2d = args[0]
        elif fn == 80:
            self.stored[cn] = bytes(args[1:])
        elif fn == 81:
            self.print_two_d(cn, kind)

    def print_two_d(self, cn: int, kind: str) -> None:
        data = self.stored.get(cn, b"")
        details: dict = {}
        try:
            if cn == 49:
                details = dict(self.qr, drawn_as="model 2") if self.qr["model"] == 1 else dict(self.qr)
                kind = "micro_qr" if self.qr["model"] == 3 else "qr"
                mask = symbols.qr_mask(data, module=self.qr["module"], ec=self.qr["ec"], model=self.qr["model"])
            elif cn == 48:
                details = dict(self.pdf417)
                mask = symbols.pdf417_mask(data, module=self.pdf417["module"], row_height=self.pdf417["row"])
            elif cn in (53, 54):
                details = {"module": self.module_2d}
                mask = symbols.matrix_mask(kind, data, module=self.module_2d)
            else:
                raise symbols.SymbolError(f"{kind} symbols are not drawn")
            if mask.width > self.area_width:
                raise symbols.SymbolError(f"{mask.width} dots wide, the print area is {self.area_width}")
        except symbols.SymbolError as err:
            target = self.result.qr_codes if cn == 49 else self.result.barcodes
            target.append(PrintedCode(kind, data, False, None, {**details, "reason": str(err)}))
            return
        box = self.place(mask, "")
        target = self.result.qr_codes if cn == 49 else self.result.barcodes
        target.append(PrintedCode(kind, data, True, box, details))

    def gs_hri(self) -> None:
        n = self._take(1)
        if n is not None and self._mode(n[0], 3) is not None:
            self.hri = self._mode(n[0], 3)

    def gs_hri_font(self) -> None:
        n = self._take(1)
        if n is not None and self._mode(n[0], 1) is not None:
            self.hri_font = self._mode(n[0], 1)

    def gs_bar_height(self) -> None:
        n = self._take(1)
        if n is not None and n[0]:
            self.bar_height = n[0]

    def gs_bar_module(self) -> None:
        n = self._take(1)
        if n is not None and 1 <= n[0] <= 8:
            self.bar_module = n[0]

    def gs_barcode(self) -> None:
        m = self._take(1)
        if m is None:
            return
        m = m[0]
        if m <= 6:
            end = self.data.find(b"\x00", self.pos)
            if end < 0:
                self._take(len(self.data) - self.pos + 1)
                return
            data = self._take(end - self.pos)
            self._take(1)
        elif 65 <= m <= 78:
            n = self._take(1)
            data = None if n is None else self._take(n[0])
        else:
            self.note(f"GS k {m}")
            return
        if data is None:
            return
        kind = symbols.BARCODE_NAMES[m]
        text = symbols.barcode_text(kind, data)
        details = {"text": text, "module": self.bar_module, "height": self.bar_height}
        try:
            mask = symbols.barcode_mask(kind, text, module=self.bar_module, height=self.bar_height)
            if mask.width > self.area_width:
                raise symbols.SymbolError(f"{mask.width} dots wide, the print area is {self.area_width}")
        except symbols.SymbolError as err:
            self.result.barcodes.append(PrintedCode(kind, data, False, None, {**details, "reason": str(err)}))
            return
        self.flush()
        if self.hri in (1, 3):
            self.hri_line(text, mask.width)
        box = self.place(mask, "")
        if self.hri in (2, 3):
            self.hri_line(text, mask.width)
        self.result.barcodes.append(PrintedCode(kind, data, True, box, details))

    def hri_line(self, text: str, bar_width: int) -> None:
        """The human-readable line under (or over) a barcode, centred on it, in the HRI font."""
        spec = FONTS[self.hri_font]
        cells = [glyph(ch, self.hri_font, False, 1, 1) for ch in text[: max(1, self.area_width // spec.width)]]
        strip = Image.new("L", (max(bar_width, spec.width * len(cells)), spec.height), 0)
        start = (strip.width - spec.width * len(cells)) // 2
        for i, (mask, above) in enumerate(cells):
            strip.paste(mask.crop((0, above, mask.width, above + spec.height)), (start + i * spec.width, 0))
        self.place(strip, "")
