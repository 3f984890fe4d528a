"""``kiosk bench NAME``: run a benchmark and rewrite its section of ``docs/BENCHMARKS.md``.

Each benchmark is a module under ``kiosk.bench`` exposing ``add_arguments(parser)`` and ``run(args)``;
``kiosk bench all`` runs every one in turn with its defaults.
"""

from __future__ import annotations

import argparse
import importlib

#: bench name -> module under kiosk.bench, in the order ``all`` runs them.
BENCHES = {
    "id": "identity",
    "ocr": "ocr",
    "ticket": "ticket",
    "central": "central",
    "ui": "ui",
    "display": "display",
}


def _load(name: str):
    return importlib.import_module(f"kiosk.bench.{BENCHES[name]}")


def register(subparsers) -> None:
    parser = subparsers.add_parser("bench", help="run benchmarks and record them in docs/BENCHMARKS.md")
    benches = parser.add_subparsers(dest="bench", metavar="BENCH", required=True)
    for name in BENCHES:
        module = _load(name)
        sub = benches.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0])
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    everything = benches.add_parser("all", help="run every benchmark with its defaults")
    everything.set_defaults(handler=run_all)


def run_all(_args: argparse.Namespace) -> int:
    status = 0
    for name in BENCHES:
        module = _load(name)
        parser = argparse.ArgumentParser(prog=f"kiosk bench {name}")
        module.add_arguments(parser)
        print(f"== kiosk bench {name}", flush=True)
        status = max(status, int(module.run(parser.parse_args([])) or 0))
    return status
