"""Draw the symbols a printer prints from data: QR codes, linear barcodes, PDF417.

Each function returns a mask (Pillow ``L`` image, 255 = ink) or raises ``SymbolError`` with the reason
the printer would not print it. QR codes are encoded with the ``qrcode`` package (so that decoding
them with zxing-cpp in tests checks one implementation against another); the other symbologies are
encoded with zxing-cpp's writer.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

#: ``GS k`` symbology numbers (both the NUL-terminated 0-6 and the counted 65-78 forms).
BARCODE_NAMES = {
    0: "upc_a", 1: "upc_e", 2: "ean13", 3: "ean8", 4: "code39", 5: "itf", 6: "codabar",
    65: "upc_a", 66: "upc_e", 67: "ean13", 68: "ean8", 69: "code39", 70: "itf", 71: "codabar",
    72: "code93", 73: "code128", 74: "gs1_128", 75: "databar", 76: "databar", 77: "databar_limited",
    78: "databar_expanded",
}
#: ``GS ( k`` error-correction level byte (48-51) -> name.
QR_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}
QR_QUIET_MODULES = 4


class SymbolError(ValueError):
    """The data cannot be printed as this symbol."""


def _mask_from_modules(modules: np.ndarray, scale_x: int, scale_y: int) -> Image.Image:
    """``modules`` is a boolean array (True = dark); each module becomes ``scale_x`` × ``scale_y`` dots."""
    ink = np.where(modules, 255, 0).astype(np.uint8)
    ink = np.repeat(np.repeat(ink, max(1, scale_y), axis=0), max(1, scale_x), axis=1)
    return Image.fromarray(ink)


def qr_mask(data: bytes, *, module: int = 3, ec: str = "L", model: int = 2) -> Image.Image:
    """A QR symbol (model 2; micro QR for model 3) with its quiet zone, ``module`` dots per module."""
    if not data:
        raise SymbolError("no QR data stored")
    if model == 3:
        return _zxing_mask("MicroQRCode", data, module, module, quiet=2)
    import qrcode
    from qrcode.exceptions import DataOverflowError

    levels = {
        "L": qrcode.constants.ERROR_CORRECT_L,
        "M": qrcode.constants.ERROR_CORRECT_M,
        "Q": qrcode.constants.ERROR_CORRECT_Q,
        "H": qrcode.constants.ERROR_CORRECT_H,
    }
    code = qrcode.QRCode(version=None, error_correction=levels[ec], box_size=1, border=QR_QUIET_MODULES)
    code.add_data(data)
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError) as err:
        raise SymbolError(f"QR data too long ({len(data)} bytes)") from err
    return _mask_from_modules(np.array(code.get_matrix(), dtype=bool), module, module)


def _zxing_mask(format_name: str, data: bytes | str, scale_x: int, scale_y: int, *, quiet: int = 0,
                height: int = 0) -> Image.Image:
    import zxingcpp

    try:
        bitmap = zxingcpp.write_barcode(getattr(zxingcpp.BarcodeFormat, format_name), data, quiet_zone=0)
    except (ValueError, RuntimeError) as err:
        raise SymbolError(str(err)) from err
    modules = np.array(bitmap) < 128
    if height:  # a linear code: one row of modules, drawn ``height`` dots tall
        mask = _mask_from_modules(modules[:1], scale_x, height)
    else:
        mask = _mask_from_modules(modules, scale_x, scale_y)
    if quiet:
        padded = Image.new("L", (mask.width + 2 * quiet * scale_x, mask.height + 2 * quiet * scale_y), 0)
        padded.paste(mask, (quiet * scale_x, quiet * scale_y))
        mask = padded
    return mask


def pdf417_mask(data: bytes, *, module: int = 3, row_height: int = 3) -> Image.Image:
    if not data:
        raise SymbolError("no PDF417 data stored")
    # zxing draws each PDF417 row three modules tall; the printer draws it ``row_height`` modules tall.
    mask = _zxing_mask("PDF417", data, module, module)
    return mask.resize((mask.width, max(1, mask.height * row_height // 3)), Image.NEAREST)


def matrix_mask(kind: str, data: bytes, *, module: int = 3) -> Image.Image:
    """A Data Matrix or Aztec symbol with a one-module quiet zone."""
    if not data:
        raise SymbolError(f"no {kind} data stored")
    return _zxing_mask({"datamatrix": "DataMatrix", "aztec": "Aztec"}[kind], data, module, module, quiet=1)


def code128_text(data: bytes) -> str:
    """The text of an ESC/POS CODE128 field: ``{A``/``{B``/``{C`` pick code sets, ``{{`` is ``{``."""
    text, code_set, i = [], "B", 0
    while i < len(data):
        byte = data[i]
        if byte == 0x7B and i + 1 < len(data):  # "{"
            nxt = chr(data[i + 1])
            i += 2
            if nxt in "ABC":
                code_set = nxt
            elif nxt == "{":
                text.append("{")
            continue  # FNC1-4 and SHIFT carry no text
        if code_set == "C":
            text.append(f"{byte:02d}" if byte < 100 else "")
        else:
            text.append(chr(byte))
        i += 1
    return "".join(text)


def barcode_text(kind: str, data: bytes) -> str:
    """What the symbol encodes (and the human-readable line prints) for ``GS k`` data."""
    if kind == "code128":
        return code128_text(data)
    text = data.decode("latin-1")
    if kind == "code39":
        return text.strip("*")
    if kind == "gs1_128":
        return code128_text(data) if text.startswith("{") else text
    return text


def gs1_check_digit(digits: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str(-total % 10)


def barcode_mask(kind: str, text: str, *, module: int = 3, height: int = 162) -> Image.Image:
    """A linear barcode of ``module`` dots per module and ``height`` dots, without quiet zone."""
    digits_ok = text.isdigit() and text.isascii()
    full = {"upc_a": 12, "ean13": 13, "ean8": 8, "upc_e": 8}.get(kind)
    if digits_ok and len(text) == full and kind != "upc_e" and gs1_check_digit(text[:-1]) != text[-1]:
        raise SymbolError(f"wrong check digit {text[-1]} (expected {gs1_check_digit(text[:-1])})")
    if kind == "upc_a" and digits_ok and len(text) in (11, 12):
        fmt = "UPCA"
    elif kind == "upc_e" and digits_ok and len(text) in (6, 7, 8):
        fmt, text = "UPCE", ("0" + text if len(text) == 6 else text)
    elif kind == "ean13" and digits_ok and len(text) in (12, 13):
        fmt = "EAN13"
    elif kind == "ean8" and digits_ok and len(text) in (7, 8):
        fmt = "EAN8"
    elif kind in ("code39", "code93", "codabar", "itf", "code128", "gs1_128", "databar", "databar_limited",
                  "databar_expanded"):
        fmt = {"code39": "Code39", "code93": "Code93", "codabar": "Codabar", "itf": "ITF",
               "code128": "Code128", "gs1_128": "Code128", "databar": "DataBar",
               "databar_limited": "DataBarLimited", "databar_expanded": "DataBarExpanded"}[kind]
    else:
        raise SymbolError(f"{kind} cannot encode {text!r}")
    if not text:
        raise SymbolError(f"no {kind} data")
    return _zxing_mask(fmt, text, module, 1, height=max(1, height))
