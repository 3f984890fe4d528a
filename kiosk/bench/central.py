"""Central service: tickets/s and p50/p99 latency with N concurrent kiosks, on SQLite and PostgreSQL.

For each database the benchmark starts a fresh one (PostgreSQL: a throwaway server with default,
durable settings), runs ``kiosk central serve`` as a separate process with the chosen number of
workers, and drives it from this process with N concurrent keep-alive HTTP connections, each
issuing tickets (a random service, a fresh Idempotency-Key) back to back for S seconds. The baseline
is ``GET /health`` on the same server and connections: HTTP plus one ``SELECT 1``. Every answer is
checked: the run fails if any number was issued twice or a ticket answered 201 was not stored.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("A", "B", "C", "D", "E", "F")
TARGET_RATE, TARGET_P99_MS, TARGET_CLIENTS = 1000, 50.0, 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=TARGET_CLIENTS, help="concurrent kiosks (default 50)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run (default 10)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--workers", type=int, default=0,
                        help="server worker processes (default: 1 on SQLite, 2 on PostgreSQL)")
    parser.add_argument("--no-write", action="store_true", help="print the results without touching BENCHMARKS.md")


@dataclass
class Run:
    label: str
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    numbers: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def duplicates(self) -> int:
        return len(self.numbers) - len(set(self.numbers))


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("server closed the connection")
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def _kiosk(port: int, token: str, deadline: float, run: Run, write: bool) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rng = random.Random()
    try:
        while time.perf_counter() < deadline:
            if write:
                service = rng.choice(SERVICES)
                body = b'{"service":"%s","priority":false}' % service.encode()
                request = (
                    f"POST /api/v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                    f"Idempotency-Key: {uuid.uuid4()}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode() + body
            else:
                request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            started = time.perf_counter()
            writer.write(request)
            status, payload = await _read_response(reader)
            run.latencies.append(time.perf_counter() - started)
            run.statuses[status] = run.statuses.get(status, 0) + 1
            if write and status == 201:
                ticket = json.loads(payload)
                run.numbers.append(f"{ticket['business_day']}/{ticket['number']}")
    finally:
        writer.close()


async def _drive(port: int, token: str, clients: int, seconds: float, run: Run, write: bool) -> None:
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(_kiosk(port, token, deadline, run, write) for _ in range(clients)))
    run.seconds = time.perf_counter() - started


def _free_port() -> int:
    from central.testing_pg import free_port

    return free_port()


def start_server(db_url: str, data_dir: Path, workers: int) -> tuple[subprocess.Popen, int]:
    import httpx

    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "central", "serve", "--db", db_url, "--data-dir", str(data_dir),
         "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    with httpx.Client(verify=False, timeout=5) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the central service exited: {process.stderr.read().strip()}")
            try:
                if client.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    return process, port
            except httpx.HTTPError:
                time.sleep(0.2)
    process.kill()
    raise RuntimeError("the central service did not answer /health within 90 s")


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def _count_tickets(db_url: str) -> int:
    from sqlalchemy import func, select

    from central.db import Database
    from central.models import Ticket

    database = Database(db_url)
    try:
        with database.read() as session:
            return session.execute(select(func.count()).select_from(Ticket)).scalar_one()
    finally:
        database.dispose()


def prepare_center(db_url: str, data_dir: Path, *roles: str) -> tuple[str, list[str]]:
    """A fresh central database at ``db_url`` with one ``bench-ROLE`` account per role at the default
    center: (the center's code, the accounts' tokens)."""
    from central import accounts
    from central.db import Database
    from central.embedded import prepare
    from central.settings import Settings

    settings = Settings(data_dir=data_dir, db_url=db_url)
    prepare(settings)
    database = Database(db_url)
    try:
        return settings.default_center, [accounts.add_account(database, role, f"bench-{role}", settings.default_center)
                                         for role in roles]
    finally:
        database.dispose()


def bench_backend(backend: str, clients: int, seconds: float, workers: int) -> dict:
    pg = None
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-central-{backend}-"))
    try:
        if backend == "postgresql":
            from central.testing_pg import ThrowawayPostgres

            pg = ThrowawayPostgres(durable=True).start()
            db_url = pg.create_database("central_bench")
        else:
            db_url = f"sqlite:///{data_dir / 'central.db'}"
        _, (token,) = prepare_center(db_url, data_dir, "kiosk")
        process, port = start_server(db_url, data_dir, workers)
        try:
            asyncio.run(_drive(port, token, min(clients, 5), 1.0, Run("warm-up"), True))
            baseline = Run("GET /health")
            asyncio.run(_drive(port, token, clients, max(2.0, seconds / 2), baseline, False))
            tickets = Run("POST /api/v1/tickets")
            asyncio.run(_drive(port, token, clients, seconds, tickets, True))
        finally:
            stop_server(process)
        stored = _count_tickets(db_url)
        return {"backend": backend, "workers": workers, "baseline": baseline, "tickets": tickets, "stored": stored}
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def _row(result: dict, clients: int) -> list[object]:
    run: Run = result["tickets"]
    base: Run = result["baseline"]
    return [result["backend"], result["workers"], clients, f"{run.seconds:.1f}", run.ok, f"{run.rate:.0f}",
            f"{run.percentile(0.50):.1f}", f"{run.percentile(0.99):.1f}", run.errors, run.duplicates,
            f"{base.rate:.0f} / {base.percentile(0.99):.1f}"]


def run(args: argparse.Namespace) -> int:
    from kiosk.bench.report import markdown_table, write_section

    if args.clients < 1 or args.seconds <= 0:
        from kiosk.cli import UsageError

        raise UsageError("--clients must be at least 1 and --seconds above 0")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    load_before = os.getloadavg()
    results = []
    for backend in backends:
        workers = args.workers or (2 if backend == "postgresql" else 1)
        print(f"central bench: {backend}, {workers} worker(s), {args.clients} clients, {args.seconds:g} s",
              flush=True)
        try:
            results.append(bench_backend(backend, args.clients, args.seconds, workers))
        except Exception as err:  # a missing PostgreSQL must not hide the SQLite numbers
            print(f"central bench: {backend} skipped: {err}", file=sys.stderr)
    if not results:
        return 1
    headers = ["database", "workers", "clients", "seconds", "tickets", "tickets/s", "p50 ms", "p99 ms",
               "errors", "duplicates", "baseline GET /health: req/s / p99 ms"]
    rows = [_row(r, args.clients) for r in results]
    print(markdown_table(headers, rows))
    lines = [markdown_table(headers, rows), ""]
    failed = False
    for result in results:
        tickets: Run = result["tickets"]
        if tickets.duplicates or result["stored"] < tickets.ok:
            failed = True
            lines.append(f"**{result['backend']}: {tickets.duplicates} duplicate numbers, "
                         f"{result['stored']} tickets stored for {tickets.ok} issued.**")
        if result["backend"] == "postgresql" and args.clients == TARGET_CLIENTS:
            met = tickets.rate >= TARGET_RATE and tickets.percentile(0.99) <= TARGET_P99_MS
            lines.append(f"Target on PostgreSQL with {TARGET_CLIENTS} clients: ≥ {TARGET_RATE} tickets/s and "
                         f"p99 ≤ {TARGET_P99_MS:g} ms — {'met' if met else 'not met'} "
                         f"({tickets.rate:.0f} tickets/s, p99 {tickets.percentile(0.99):.1f} ms).")
    load_after = os.getloadavg()
    lines.append("")
    lines.append(f"Load average before / after: {load_before[0]:.1f} / {load_after[0]:.1f} "
                 "(other work on the machine competes with the run).")
    lines.append("")
    lines.append("Server, database and load generator share this machine; the load generator is one asyncio "
                 "process with one keep-alive connection per client. PostgreSQL runs with its default, durable "
                 "settings (fsync and synchronous commit on); SQLite in WAL mode with synchronous=NORMAL. "
                 "Every ticket is one transaction: idempotency check, number drawn from the counter row, "
                 "ticket insert, queue position, stored response. The baseline route does one `SELECT 1` through "
                 "the same stack, so it bounds what any database-backed route can reach here.")
    if not args.no_write:
        path = write_section("central", "Central service: ticket issuance", "\n".join(lines))
        print(f"written to {path}")
    return 1 if failed else 0
