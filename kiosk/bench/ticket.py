"""Queue tickets: confirming tap to last byte on the simulated printer, and bytes per printed ticket.

The timed part is what happens after the citizen confirms: ``TicketDesk.take`` draws the number from
the central service (its own process on SQLite, on loopback) or offline from the kiosk's range (the
service stopped), lays out the slip, encodes the job and hands it to the simulated printer; the clock stops
when the printer driver has accepted the last byte. The job sizes are measured for both paper widths,
both languages and every ``printer.text_mode``, against the whole ticket sent as one raster picture,
with the time a 115200-baud serial printer needs to receive each.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from kiosk.bench.report import percentile

TARGET_P95_MS = 150.0
SERIAL_BAUD = 115200
TARGET_SERIAL_S = 2.0


def add_arguments(parser) -> None:
    parser.add_argument("--tickets", type=int, default=60, metavar="N",
                        help="tickets timed in each case (default: %(default)s)")
    parser.add_argument("--output", metavar="FILE", type=Path, default=None,
                        help="benchmarks file to update (default: docs/BENCHMARKS.md)")
    parser.add_argument("--no-write", action="store_true", help="print the results without writing the file")


class _Stopwatch:
    """Wraps a printer's ``send``: when did the driver take the last byte."""

    def __init__(self, printer):
        self.printer = printer
        self.last_byte_at = 0.0
        self._send = printer.send
        printer.send = self.send

    def send(self, job: bytes) -> None:
        self._send(job)
        self.last_byte_at = time.perf_counter()


class CentralProcess:
    """The central service in a process of its own on loopback, as a center runs it (SQLite in ``folder``)."""

    def __init__(self, folder: Path):
        import socket
        import subprocess

        import requests

        from central import accounts, db, embedded
        from central.settings import Settings

        settings = Settings(data_dir=folder)
        embedded.prepare(settings)
        database = db.Database(settings.db_url)
        try:
            self.token = accounts.add_account(database, "kiosk", "bench-kiosk", settings.default_center)
        finally:
            database.dispose()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "central", "serve", "--data-dir", str(folder), "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(self.url + "/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the central service for the benchmark did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except Exception:  # noqa: BLE001 - a service that will not stop is killed
                self.process.kill()
                self.process.wait(5)


def time_taps(count: int) -> dict[str, list[float]]:
    """Milliseconds from the confirming tap to the last byte, online and offline."""
    from kiosk import config as kiosk_config
    from kiosk.wiring import build

    times: dict[str, list[float]] = {"online": [], "offline": []}
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-ticket-") as tmp:
        central = CentralProcess(Path(tmp) / "central")
        try:
            config = kiosk_config.from_dict({
                "kiosk": {"data_dir": str(Path(tmp) / "kiosk")},
                "central": {"url": central.url, "token": central.token, "embedded": False, "connect_timeout_s": 0.5},
                "devices": {"printer": "sim://", "qr_reader": "none://", "camera": "none://",
                            "speaker": "none://", "locker": "none://"},
            }, "<bench>")
            kiosk = build(config)
            try:
                desk = kiosk.desk
                watch = _Stopwatch(kiosk.devices.printer)
                desk.services()
                services = ["A", "B", "C", "D", "E", "F"]
                for case in ("online", "offline"):
                    if case == "offline":
                        central.stop()
                    for i in range(count + 3):
                        tap = time.perf_counter()
                        issued = desk.take(services[i % len(services)], priority=i % 7 == 0, language="vi")
                        if issued.state != "printed":
                            raise RuntimeError(f"ticket {issued.number} did not print: {issued.fault}")
                        if case == "offline" and not issued.ticket.offline:
                            raise RuntimeError(f"ticket {issued.number} was not drawn offline")
                        if i >= 3:  # the first ones warm caches and connections
                            times[case].append((watch.last_byte_at - tap) * 1000)
                    kiosk.devices.printer.wait_printed(timeout=60)
            finally:
                kiosk.close()
        finally:
            central.stop()
    return times


def sample_slip(offline: bool, language: str):
    from kiosk.config import DEFAULTS
    from kiosk.printing.ticket import TicketSlip
    from kiosk.references import ticket_code

    center = DEFAULTS["center"]
    names = {"vi": "Hộ tịch – Cư trú", "en": "Civil status and residence"}
    return TicketSlip(
        center_name=center["name"], number="K1-A012" if offline else "A012", service_name=names[language],
        issued_at=dt.datetime(2026, 11, 23, 8, 15), qr=ticket_code("0b0c8f3a-0f3c-4d3e-9c1f-2b8a6b1d2e3f"),
        counters=("1", "2"), position=None if offline else 5, estimated_wait_minutes=None if offline else 15,
        priority=True, offline=offline, hotline=center["hotline"],
    )


def job_sizes() -> list[list[object]]:
    from devices.printer.encode import raster_job
    from kiosk.printing import layout
    from kiosk.printing.ticket import ticket_blocks, ticket_job

    rows = []
    for paper, dots in ((80, 576), (58, 384)):
        for language in ("vi", "en"):
            slip = sample_slip(False, language)
            whole = raster_job(layout.render(ticket_blocks(slip, language), dots), dots=dots)
            rows.append([f"{paper} mm", language, "whole ticket as one raster (baseline)", len(whole), len(whole),
                         f"{len(whole) * 10 / SERIAL_BAUD:.2f}"])
            for mode in ("raster", "cp1258", "tcvn3"):
                job = ticket_job(slip, language, dots=dots, text_mode=mode)
                rows.append([f"{paper} mm", language, f"`{mode}`", len(job), job.raster_bytes,
                             f"{job.seconds_at(SERIAL_BAUD):.2f}"])
        offline = ticket_job(sample_slip(True, "vi"), "vi", dots=dots)
        rows.append([f"{paper} mm", "vi", "`raster`, offline number", len(offline), offline.raster_bytes,
                     f"{offline.seconds_at(SERIAL_BAUD):.2f}"])
    return rows


def render(times: dict[str, list[float]], sizes: list[list[object]], count: int) -> str:
    from kiosk.bench.report import markdown_table

    tap_rows = []
    for case, values in times.items():
        p95 = percentile(values, 0.95)
        tap_rows.append([case, len(values), f"{percentile(values, 0.5):.1f}", f"{p95:.1f}", f"{max(values):.1f}",
                         "yes" if p95 <= TARGET_P95_MS else "**no**"])
    worst = max(float(row[5]) for row in sizes if "baseline" not in str(row[2]))
    return "\n\n".join([
        f"Confirming tap to last byte accepted by the simulated printer (`TicketDesk.take`: number from the "
        f"central service (a process of its own on SQLite) over loopback, or offline with the service stopped; slip laid "
        f"out, encoded and sent), {count} tickets each, Vietnamese slip on 80 mm paper. Target: p95 ≤ "
        f"{TARGET_P95_MS:.0f} ms.",
        markdown_table(["number drawn", "tickets", "p50 ms", "p95 ms", "max ms", "p95 within target"], tap_rows),
        f"Bytes of each printed ticket (priority ticket with counters, people ahead, wait, QR and hotline) and "
        f"the time a {SERIAL_BAUD}-baud serial link needs to carry them (8N1). Target: under "
        f"{TARGET_SERIAL_S:.0f} s. Worst compact job: {worst:.2f} s.",
        markdown_table(["paper", "language", "text mode", "job bytes", "raster bytes", f"s at {SERIAL_BAUD}"], sizes),
    ])


def run(args) -> int:
    from kiosk.bench.report import write_section
    from kiosk.cli import UsageError

    if args.tickets < 5:
        raise UsageError("--tickets must be at least 5")
    times = time_taps(args.tickets)
    sizes = job_sizes()
    body = render(times, sizes, args.tickets)
    sys.stdout.write(body + "\n")
    if not args.no_write:
        path = write_section("ticket", "Queue tickets (`kiosk bench ticket`)", body, args.output)
        print(f"written to {path}")
    return 0
