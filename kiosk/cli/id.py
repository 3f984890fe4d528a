"""``kiosk id``: read citizens' chip ID cards (CCCD) from a QR payload or from pictures.

* ``kiosk id parse PAYLOAD`` (``-`` reads standard input) prints one JSON object: ``id_number``,
  ``old_id_number``, ``full_name``, ``date_of_birth``, ``issue_date``, ``sex``, ``address``, ``card``,
  ``extras``, ``warnings``. Exit 0 when it parsed (with or without warnings), 2 when it is not a valid
  CCCD payload (one line on standard error).
* ``kiosk id scan IMAGE...`` prints one JSON line per picture: the same object plus ``file``, or
  ``{"file", "error", "message"}`` with ``error`` one of ``no_qr``, ``not_cccd``, ``unreadable``,
  ``too_large``. Exit 0 when every picture gave an identity, else 1.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from kiosk.cli import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser("id", help="read chip ID card (CCCD) QR payloads and pictures")
    commands = parser.add_subparsers(dest="id_command", metavar="ACTION", required=True)

    parse = commands.add_parser("parse", help="parse one CCCD QR payload and print it as JSON")
    parse.add_argument("payload", metavar="PAYLOAD", help="the payload text, or - to read standard input")
    _common(parse)
    parse.set_defaults(handler=run_parse)

    scan = commands.add_parser("scan", help="find the CCCD QR code in pictures; one JSON line each")
    scan.add_argument("images", metavar="IMAGE", nargs="+", help="picture files (PNG, JPEG, …)")
    _common(scan)
    scan.set_defaults(handler=run_scan)


def _common(parser) -> None:
    parser.add_argument("--today", metavar="YYYY-MM-DD", type=_iso_date,
                        help="the date that decides what is in the future (default: today)")
    parser.add_argument("--language", default="en", choices=("en", "vi"),
                        help="language of warning and error messages (default: en)")


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        import argparse

        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def emit(obj: dict) -> None:
    """One JSON object per line, UTF-8 whatever the terminal's locale."""
    sys.stdout.buffer.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()


def run_parse(args) -> int:
    from kiosk.identity import CccdError, parse_cccd

    payload: str | bytes = sys.stdin.buffer.read() if args.payload == "-" else args.payload
    try:
        identity = parse_cccd(payload, today=args.today)
    except CccdError as err:
        raise UsageError(f"not a valid CCCD payload: {err}") from None
    emit(identity.to_dict(args.language))
    return 0


def run_scan(args) -> int:
    from devices.qr_reader.decode import ImageError, QrDecoder
    from kiosk.i18n import translate
    from kiosk.identity import NO_QR_MESSAGE, CccdError, parse_cccd

    decoder = QrDecoder()
    today = args.today or dt.date.today()
    failures = 0

    def accept(data: bytes) -> bool:
        parse_cccd(data, today=today)
        return True

    for name in args.images:
        try:
            result = decoder.decode(name, accept=accept)
        except ImageError as err:
            emit({"file": name, "error": err.code, "message": translate(err.message, args.language),
                  "detail": str(err)})
            failures += 1
            continue
        if result.accepted is not None:
            emit({"file": name, **parse_cccd(result.accepted.data, today=today).to_dict(args.language)})
            continue
        failures += 1
        if not result.found_any:
            emit({"file": name, "error": "no_qr", "message": translate(NO_QR_MESSAGE, args.language)})
            continue
        try:
            parse_cccd(result.seen[0].data, today=today)
        except CccdError as err:
            emit({"file": name, "error": "not_cccd", "reason": err.code,
                  "message": err.citizen_message(args.language), "detail": str(err)})
    return 1 if failures else 0
