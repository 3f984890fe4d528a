"""ESC/POS bit-image commands for the interpreter: raster (``GS v 0``), column (``ESC *``), graphics
(``GS ( L``/``GS 8 L``), downloaded (``GS *``/``GS /``) and user-defined characters (``ESC &``)."""

from __future__ import annotations

from PIL import Image

from devices.printer import codepages
from devices.printer.paper import Item, bits_to_mask, columns_to_mask


class ImageCommands:
    """Mixed into ``Interpreter``; uses its state, ``_take``, ``place`` and ``print_line``."""

    def gs_raster(self) -> None:
        head = self._take(6)
        if head is None:
            return
        if head[0] not in (0, 48):
            self.note("GS v (unknown function)")
            return
        mode, width_bytes, height = head[1], head[2] | head[3] << 8, head[4] | head[5] << 8
        if not width_bytes or not height:
            return
        available = len(self.data) - self.pos
        if available < width_bytes * height:
            # A job cut off inside the image: like a printer, print the rows that arrived.
            height = available // width_bytes
            rows = self.data[self.pos : self.pos + height * width_bytes]
            self._take(available + 1)  # marks the job as cut off
        else:
            rows = self._take(width_bytes * height)
        if not height:
            return
        scale_x, scale_y = (2 if mode & 1 else 1), (2 if mode & 2 else 1)
        self.place(bits_to_mask(rows, width_bytes, height, scale_x=scale_x, scale_y=scale_y), "GS v 0")

    def esc_bit_image(self) -> None:
        head = self._take(3)
        if head is None:
            return
        m, columns = head[0], head[1] | head[2] << 8
        if m not in (0, 1, 32, 33):
            self.note(f"ESC * {m}")
            return
        rows_of_8 = 3 if m >= 32 else 1
        data = self._take(columns * rows_of_8)
        if data is None or not columns:
            return
        mask = columns_to_mask(data, columns, rows_of_8, scale_x=2 if m in (0, 32) else 1, scale_y=3 if m < 32 else 1)
        width = min(mask.width, max(0, self.area_width - self.line.x))
        if width:
            self.line.items.append(Item(x=self.line.x, width=width, height=mask.height, mask=mask.crop(
                (0, 0, width, mask.height)), kind="image"))
            self.line.x += width

    def gs_define_image(self) -> None:
        head = self._take(2)
        if head is None:
            return
        x, y = head
        data = self._take(x * y * 8)
        if data is not None and x and y:
            self.downloaded = columns_to_mask(data, x * 8, y)

    def gs_print_image(self) -> None:
        m = self._take(1)
        if m is None or self.downloaded is None or self._mode(m[0], 3) is None:
            return
        mode = self._mode(m[0], 3)
        image = self.downloaded
        self.place(image.resize((image.width * (2 if mode & 1 else 1), image.height * (2 if mode & 2 else 1)),
                                Image.NEAREST), "GS /")

    def graphics_function(self, body: bytes) -> None:
        if len(body) < 2:
            return
        fn = body[1]
        if fn == 0x70 and len(body) >= 10:  # store raster graphics
            tone, scale_x, scale_y = body[2], body[3], body[4]
            width, height = body[6] | body[7] << 8, body[8] | body[9] << 8
            width_bytes = (width + 7) // 8
            rows = body[10:]
            if tone != 48 or not width or not height or len(rows) < width_bytes * height:
                self.note("GS ( L store (unsupported graphics data)")
                return
            mask = bits_to_mask(rows, width_bytes, height).crop((0, 0, width, height))
            self.graphics = (mask, 2 if scale_x == 2 else 1, 2 if scale_y == 2 else 1)
        elif fn in (0x32, 0x02) and self.graphics is not None:  # print what is stored
            mask, sx, sy = self.graphics
            self.place(mask.resize((mask.width * sx, mask.height * sy), Image.NEAREST), "GS ( L")
        elif fn not in (0x32, 0x02):
            self.note(f"GS ( L function {fn}")

    def fs_define_nv_images(self) -> None:
        count = self._take(1)
        for _ in range(count[0] if count else 0):
            size = self._take(4)
            if size is None or self._take((size[0] | size[1] << 8) * (size[2] | size[3] << 8) * 8) is None:
                return
        self.note("FS q (NV images not stored here)")

    def esc_user_chars(self) -> None:
        """``ESC & y c1 c2 [x d1…d(y·x)]…``: define characters c1..c2 as column bit images."""
        head = self._take(3)
        if head is None:
            return
        rows, first, last = head
        for code in range(first, last + 1):
            columns = self._take(1)
            data = None if columns is None else self._take(rows * columns[0])
            if data is None:
                return
            if rows and columns[0]:
                self.user_chars[code] = columns_to_mask(data, columns[0], rows)
            else:
                self.user_chars.pop(code, None)

    def esc_user_chars_on(self) -> None:
        n = self._take(1)
        if n is not None:
            self.user_chars_on = bool(n[0] & 1)

    def esc_cancel_user_char(self) -> None:
        n = self._take(1)
        if n is not None:
            self.user_chars.pop(n[0], None)

    def user_character(self, byte: int) -> bool:
        """Set a user-defined character when one is selected for ``byte``; False when none is."""
        bitmap = self.user_chars.get(byte) if self.user_chars_on else None
        if bitmap is None:
            return False
        mask = bitmap.resize((bitmap.width * self.width, bitmap.height * self.height), Image.NEAREST)
        advance = mask.width + self.right_spacing * self.width
        if self.line.x + mask.width > self.area_width:
            if self.line.x == 0:
                return True
            self.print_line(self.line_spacing)
        ch = codepages.glyphs(self.table)[byte]
        self.line.items.append(Item(
            x=self.line.x, width=min(advance, self.area_width - self.line.x), height=mask.height, mask=mask,
            text="?" if ch == codepages.UNDEFINED else ch, kind="user", underline=self.underline,
            reverse=self.reverse,
        ))
        self.line.x += advance
        return True
