"""``kiosk qr IMAGE...``: every QR code found in each picture, one JSON line per picture.

Prints ``{"file": ..., "texts": [...]}``; a picture that cannot be read gives ``{"file", "error",
"message"}`` instead. Text is the code's bytes as UTF-8 (zxing's reading when they are not UTF-8).
Exit 0 when every picture was read (with or without codes), 1 otherwise.
"""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser("qr", help="print every QR code found in pictures, as JSON lines")
    parser.add_argument("images", metavar="IMAGE", nargs="+", help="picture files (PNG, JPEG, …)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    from devices.qr_reader.decode import ImageError, QrDecoder
    from kiosk.cli.id import emit
    from kiosk.i18n import translate

    decoder = QrDecoder()
    status = 0
    for name in args.images:
        try:
            found = decoder.decode_all(name)
        except ImageError as err:
            emit({"file": name, "error": err.code, "message": translate(err.message, "en"), "detail": str(err)})
            status = 1
            continue
        emit({"file": name, "texts": [decoded.text for decoded in found]})
    return status
