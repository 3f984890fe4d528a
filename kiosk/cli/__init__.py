"""The ``kiosk`` console command.

Each subcommand lives in its own module under ``kiosk.cli`` and exposes ``register(subparsers)``,
which adds its parser and sets ``handler`` to a function ``(args) -> int``. Modules import their
heavy dependencies (Kivy, Tesseract, the central service) inside the handler, so ``kiosk --help``
and every unrelated subcommand start fast and work without a display.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

#: Subcommand modules, in the order ``kiosk --help`` lists them.
COMMANDS = (
    "demo",
    "doctor",
    "id",
    "qr",
    "ocr",
    "ticket",
    "dossier",
    "central",
    "admin",
    "service",
    "bench",
)


class UsageError(Exception):
    """A problem with what the operator asked for; printed as one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Một Cửa Kiosk: self-service kiosk for commune public administration centers.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages to stderr")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"kiosk.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except UsageError as err:
        print(f"kiosk {args.command}: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
