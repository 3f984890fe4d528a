"""The two decoders the pipeline (``decode``) runs on every image variant: zxing-cpp, and zbar in
binary mode through pyzbar's ctypes bindings (zbar's own charset guess turns short Vietnamese strings
into Shift-JIS mojibake; in binary mode it returns the symbol's bytes, decoded as UTF-8 here)."""

from __future__ import annotations

import ctypes

import numpy as np
import zxingcpp


def text_of(data: bytes, fallback: str | None = None) -> str:
    """UTF-8 text of a symbol's bytes; otherwise zxing's reading (it honours ECI), else Latin-1."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return fallback if fallback is not None else data.decode("latin-1")


def read_zxing(gray: np.ndarray, binarizer=None, errors: bool = False):
    """zxing-cpp QR results; with ``errors`` also the codes found but not decoded."""
    options = {"formats": zxingcpp.BarcodeFormat.QRCode, "return_errors": errors}
    if binarizer is not None:
        options["binarizer"] = binarizer
    return zxingcpp.read_barcodes(gray, **options)


class _Zbar:
    """zbar through pyzbar's ctypes bindings, QR only, in binary mode."""

    QRCODE = 64
    CFG_ENABLE = 0
    CFG_BINARY = 4  # zbar >= 0.23: "don't convert binary data to text"
    Y800 = 0x30303859

    def __init__(self):
        from pyzbar import wrapper

        self.lib = wrapper
        self.scanner = wrapper.zbar_image_scanner_create()
        if not self.scanner:
            raise RuntimeError("zbar: cannot create an image scanner")
        wrapper.zbar_image_scanner_set_config(self.scanner, 0, self.CFG_ENABLE, 0)
        wrapper.zbar_image_scanner_set_config(self.scanner, self.QRCODE, self.CFG_ENABLE, 1)
        wrapper.zbar_image_scanner_set_config(self.scanner, self.QRCODE, self.CFG_BINARY, 1)

    def read(self, gray: np.ndarray) -> list[bytes]:
        lib = self.lib
        height, width = gray.shape
        pixels = np.ascontiguousarray(gray).tobytes()
        image = lib.zbar_image_create()
        try:
            lib.zbar_image_set_format(image, self.Y800)
            lib.zbar_image_set_size(image, width, height)
            lib.zbar_image_set_data(image, ctypes.cast(pixels, ctypes.c_void_p), len(pixels), None)
            if lib.zbar_scan_image(self.scanner, image) <= 0:
                return []
            found = []
            symbol = lib.zbar_image_first_symbol(image)
            while symbol:
                found.append(ctypes.string_at(lib.zbar_symbol_get_data(symbol),
                                              lib.zbar_symbol_get_data_length(symbol)))
                symbol = lib.zbar_symbol_next(symbol)
            return found
        finally:
            lib.zbar_image_destroy(image)

    def __del__(self):
        scanner = getattr(self, "scanner", None)
        if scanner:
            self.lib.zbar_image_scanner_destroy(scanner)
