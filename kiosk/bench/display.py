"""Lobby display: milliseconds from a key press at the counter page to the number on the display.

The central service runs as ``kiosk central serve`` on loopback with a fresh SQLite database; the
counter page and the lobby display are real pages in Debian's headless Chromium, driven by
Playwright (installed with the test extras: ``make setup-test``). Each call: a kiosk takes a ticket
over HTTP, the staff member presses ``n`` (call next) on the counter page, and the display records
when the number first appears on its counter tile; the staff member then presses ``s`` (served).
Both pages run in the same browser, so both times come from one clock.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

from kiosk.bench import browser as chromium
from kiosk.bench.report import percentile

#: Issue 9: a call at the counter shows on the display within a second.
TARGET_MS = 1000.0
COUNTER = "1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calls", type=int, default=30, help="calls measured (default: %(default)s)")
    parser.add_argument("--no-write", action="store_true", help="print the results without touching BENCHMARKS.md")


def _measure(url: str, center: str, kiosk_token: str, staff_token: str, calls: int) -> list[float]:
    import httpx
    from playwright.sync_api import sync_playwright

    latencies = []
    with sync_playwright() as playwright, httpx.Client(base_url=url, timeout=30) as client:
        browser = chromium.launch(playwright)
        try:
            desk = chromium.counter_page(browser, url, COUNTER, staff_token)
            display = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            display.goto(f"{url}/display/{center}")
            display.wait_for_function("() => window.lobby && window.lobby.status === 'live'")
            for _ in range(calls):
                response = client.post("/api/v1/tickets", json={"service": "A", "priority": False},
                                       headers={"Authorization": f"Bearer {kiosk_token}",
                                                "Idempotency-Key": str(uuid.uuid4())})
                response.raise_for_status()
                number = response.json()["number"]
                desk.wait_for_function(
                    "n => [...document.querySelectorAll('.queued-number')].some(e => e.textContent === n)",
                    arg=number, timeout=10_000)
                pressed_at = desk.evaluate("() => Date.now()")
                desk.keyboard.press("n")
                display.wait_for_function("n => n in window.lobby.shownAt", arg=number, timeout=10_000)
                latencies.append(display.evaluate("n => window.lobby.shownAt[n]", number) - pressed_at)
                desk.wait_for_function("n => window.desk.view.current && window.desk.view.current.number === n",
                                       arg=number, timeout=10_000)
                desk.keyboard.press("s")
                desk.wait_for_function("() => !window.desk.view.current", timeout=10_000)
        finally:
            browser.close()
    return latencies


def run(args: argparse.Namespace) -> int:
    from kiosk.bench.central import prepare_center, start_server, stop_server
    from kiosk.bench.report import markdown_table, write_section

    if args.calls < 1:
        from kiosk.cli import UsageError

        raise UsageError("--calls must be at least 1")
    if importlib.util.find_spec("playwright") is None:
        print("kiosk bench display: Playwright is missing; install the test extras (make setup-test)", file=sys.stderr)
        return 1
    if (why := chromium.missing()) is not None:
        print(f"kiosk bench display: {why}", file=sys.stderr)
        return 1
    data_dir = Path(tempfile.mkdtemp(prefix="bench-display-"))
    load_before = os.getloadavg()
    try:
        db_url = f"sqlite:///{data_dir / 'central.db'}"
        center, (kiosk_token, staff_token) = prepare_center(db_url, data_dir, "kiosk", "staff")
        process, port = start_server(db_url, data_dir, 1)
        try:
            latencies = _measure(f"http://127.0.0.1:{port}", center, kiosk_token, staff_token, args.calls)
        finally:
            stop_server(process)
    except Exception as err:  # the operator gets one line, not a traceback
        print(f"kiosk bench display: {err}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    p50, p95, worst = statistics.median(latencies), percentile(latencies, 0.95), max(latencies)
    met = worst <= TARGET_MS
    table = markdown_table(
        ["calls", "median ms", "95th percentile ms", "slowest ms", "target"],
        [[len(latencies), f"{p50:.0f}", f"{p95:.0f}", f"{worst:.0f}",
          f"every call ≤ {TARGET_MS:.0f} ms: {'met' if met else 'not met'}"]])
    body = (
        f"{table}\n\n"
        "From the key press on the counter page to the number on the display's counter tile, by the browser's "
        "clock (both pages in one headless Chromium), through `kiosk central serve` on loopback with SQLite. "
        "Each call takes a fresh ticket first and marks it served after.\n"
        f"Load average before / after: {load_before[0]:.1f} / {os.getloadavg()[0]:.1f}.\n"
    )
    print(body)
    if not args.no_write:
        print(f"written to {write_section('display', 'Lobby display: call to screen (`kiosk bench display`)', body)}")
    return 0 if met else 1
