"""Kiosk window cold start and memory at the configured screen size, beside a bare Kivy window.

Each run is a fresh process (``python -m screens.startup_probe``): the time is from spawning it to
the first frame on screen (drawn offscreen by Mesa here, so GPU-less), the memory is the process's
peak resident size at that first frame and, for the kiosk, after every registered screen has been
shown once. Runs alternate between the bare window and the kiosk so machine load hits both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from kiosk.bench.report import write_section


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=3, help="cold starts of each kind (default: %(default)s)")


def probe(mode: str, walk: bool = False) -> dict:
    """One cold start of ``mode`` (``bare`` or ``kiosk``) in a fresh process; its figures."""
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-ui-") as tmp:
        command = [sys.executable, "-m", "screens.startup_probe", mode, tmp] + (["--walk"] if walk else [])
        env = {**os.environ, "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1"}
        started = time.time()
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"{mode} start failed (exit {done.returncode}): {' | '.join(tail)}")
        found = json.loads(lines[-1])
        found["first_frame_s"] = found["first_frame_at"] - started
        return found


def run(args: argparse.Namespace) -> int:
    runs = max(1, args.runs)
    bare, kiosk = [], []
    try:
        for index in range(runs):
            bare.append(probe("bare"))
            kiosk.append(probe("kiosk", walk=index == 0))
    except (RuntimeError, subprocess.TimeoutExpired) as err:
        print(f"kiosk bench ui: {err}", file=sys.stderr)
        return 1
    walked = kiosk[0]
    broken = [name for name in walked.get("screens_shown", []) if ":" in name]

    def median(rows: list[dict], key: str) -> float:
        return statistics.median(row[key] for row in rows)

    width, height = walked["window"]
    rows = [
        "| window | cold starts | first frame median s | first frame max s | peak memory at first frame MB |",
        "|---|---|---|---|---|",
        f"| bare Kivy window (baseline) | {runs} | {median(bare, 'first_frame_s'):.2f} | "
        f"{max(r['first_frame_s'] for r in bare):.2f} | {median(bare, 'first_frame_peak_mb'):.0f} |",
        f"| kiosk (simulators, offline) | {runs} | {median(kiosk, 'first_frame_s'):.2f} | "
        f"{max(r['first_frame_s'] for r in kiosk):.2f} | {median(kiosk, 'first_frame_peak_mb'):.0f} |",
    ]
    shown = [name for name in walked.get("screens_shown", []) if ":" not in name]
    body = "\n".join(rows) + (
        f"\n\nWindow {width}×{height}. After showing each of the {len(shown)} registered screens once, the kiosk's "
        f"peak memory was **{walked['walk_peak_mb']:.0f} MB** (bare window: "
        f"{median(bare, 'first_frame_peak_mb'):.0f} MB).\n"
        f"Screens that could not show without parameters: {', '.join(broken) or 'none'}.\n"
        f"Load average at the end: {' / '.join(f'{v:.1f}' for v in os.getloadavg())}.\n"
    )
    path = write_section("ui", "Kiosk window: cold start and memory (`kiosk bench ui`)", body)
    print(body)
    print(f"written to {path}")
    return 1 if broken else 0
