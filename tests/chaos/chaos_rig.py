"""The fault-injection rig: the central service, the proxy, the kiosk child, the faults and the checks.

``ChaosRig`` runs the real central service in this process (``central.embedded``, SQLite) behind a
``TcpProxy``; ``run_round`` plans one round from a seeded random generator, starts ``chaos_kiosk.py``
with the planned operations and strikes while it runs (SIGKILL, central stopped and started, network
refused or muted, a file-size limit standing for a full disk, printer faults through the simulator's
URL options). ``drain`` then lets a healthy kiosk deliver everything and ``check`` compares what the
kiosk recorded with what the central service holds.

A full disk is ``RLIMIT_FSIZE`` on the kiosk process (with ``SIGXFSZ`` ignored, so a write past the
limit fails with ``EFBIG`` as it would with ``ENOSPC``): it needs no privileges. A small tmpfs would be
closer to a real full disk but mounting one needs root or a user namespace, which CI runners seldom
allow, and its contents would vanish between the kiosk's restarts.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from tcp_proxy import TcpProxy

from central import db, embedded, models
from central.settings import Settings

CHILD = Path(__file__).with_name("chaos_kiosk.py")
#: A procedure of the kiosk's catalog whose form needs one field the card does not fill.
CLI_PROCEDURE = "CT-CK"
ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("A", "B")
PRINTERS = (
    ("sim://", 6),
    ("sim://?unplug_after=1", 1),
    ("sim://?unplug_after=2", 1),
    ("sim://?faults=paper_near_end", 1),
    ("sim://?faults=paper_out", 1),
)


@dataclass
class RoundPlan:
    number: int
    ops: list[dict]
    printer: str
    #: (seconds after the kiosk started, action) with actions ``proxy:MODE``, ``central:stop``/``start``.
    strikes: list[tuple[float, str]]
    kill_at: float | None
    #: Largest file the kiosk may write (RLIMIT_FSIZE), bytes above the biggest file it has; None: no limit.
    disk_room: int | None
    #: ``kiosk dossier submit`` run after the kiosk process: owner's ID number, kill time, network mode.
    cli_dossier: dict | None = None

    def describe(self) -> str:
        faults = [action for _, action in self.strikes if not action.endswith(("up", "start"))]
        if self.kill_at is not None:
            faults.append(f"kill@{self.kill_at:.1f}s")
        if self.disk_room is not None:
            faults.append(f"disk+{self.disk_room // 1024}KiB")
        if self.printer != "sim://":
            faults.append(self.printer.split("?", 1)[1])
        if self.cli_dossier:
            kill = self.cli_dossier["kill_at"]
            faults.append(f"dossier CLI (network {self.cli_dossier['network']}"
                          + (f", kill@{kill:.1f}s)" if kill is not None else ")"))
        return f"round {self.number}: {len(self.ops)} ops; " + (", ".join(faults) or "no faults")


@dataclass
class ChildRun:
    returncode: int
    lines: list[dict]
    stderr: str

    def accepted(self, kind: str) -> list[dict]:
        return [line for line in self.lines if line.get("accepted") == kind]


@dataclass
class Tally:
    rounds: int = 0
    killed: int = 0
    accepted: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    faults: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    known: Counter = field(default_factory=Counter)


def plan_round(rng: random.Random, number: int) -> RoundPlan:
    ops = []
    for i in range(rng.randint(5, 10)):
        roll = rng.random()
        if roll < 0.6:
            ops.append({"kind": "ticket", "service": rng.choice(SERVICES), "priority": rng.random() < 0.2})
        elif roll < 0.9:
            ops.append({"kind": "rating", "marker": f"chaos-r{number}-{i}", "score": rng.randint(1, 4)})
        else:
            ops.append({"kind": "dossier", "id_number": f"0019{number:04d}{i:04d}"})
        ops[-1]["pause_s"] = rng.choice((0.0, 0.05, 0.2))
    printer = rng.choices([p for p, _ in PRINTERS], weights=[w for _, w in PRINTERS])[0]
    strikes: list[tuple[float, str]] = []
    if rng.random() < 0.5:
        start = rng.uniform(0.0, 1.5)
        strikes += [(start, f"proxy:{rng.choice(('refuse', 'mute'))}"), (start + rng.uniform(0.3, 2.0), "proxy:up")]
    if rng.random() < 0.35:
        start = rng.uniform(0.0, 1.5)
        strikes += [(start, "central:stop"), (start + rng.uniform(0.3, 1.5), "central:start")]
    strikes.sort()
    kill_at = rng.uniform(0.2, 3.0) if rng.random() < 0.85 else None
    disk_room = rng.choice((0, 4096, 32768, 65536)) if rng.random() < 0.2 else None
    cli = None
    if rng.random() < 0.3:
        cli = {"id_number": f"001080{number % 1000:03d}{len(ops):03d}",
               "kill_at": rng.uniform(0.5, 4.0) if rng.random() < 0.6 else None,
               "network": rng.choice(("up", "up", "mute", "refuse"))}
    return RoundPlan(number, ops, printer, strikes, kill_at, disk_room, cli)


class Central:
    """The central service in this process; stopped and started on the same port like a rebooted server."""

    def __init__(self, data_dir: Path):
        self.service = embedded.start(settings=Settings(data_dir=data_dir))
        self.settings = self.service.settings
        self.url = self.service.url
        self.port = int(self.url.rsplit(":", 1)[1])
        self.kiosk_token = self.service.kiosk_token
        self.staff_token = self.service.staff_token
        self._server, self._thread = self.service._server, self.service._thread
        self.database = db.Database(self.settings.db_url, pool_size=2)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(15)
            self._server = self._thread = None

    def start(self) -> None:
        if self._server is None:
            self._server, self._thread, _url, _app = embedded.serve_in_thread(self.settings, port=self.port)

    def rows(self, model) -> list:
        with self.database.read() as session:
            return list(session.scalars(select(model)))

    def close(self) -> None:
        self.stop()
        self.database.dispose()


def _largest_file(folder: Path) -> int:
    sizes = [p.stat().st_size for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
    return max(sizes, default=0)


class ChaosRig:
    def __init__(self, workdir: Path, central: Central, procedure: dict, scan: bytes):
        self.workdir = workdir
        self.central = central
        self.proxy = TcpProxy(central.port)
        self.data_dir = workdir / "kiosk"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.procedure = procedure
        self.scan_path = workdir / "scan.pdf"
        self.scan_path.write_bytes(scan)
        self.tally = Tally()
        #: python-escpos's capabilities cache, kept across the kiosk's restarts as on a real kiosk.
        self.escpos_cache = workdir / "escpos-cache"
        self.escpos_cache.mkdir(exist_ok=True)
        self.reported: dict[str, set] = {"rating": set(), "dossier": set()}
        self.planned: dict[str, set] = {"rating": set(), "dossier": set()}

    def close(self) -> None:
        self.proxy.close()

    # --- one kiosk process --------------------------------------------------------------------------

    def _spec(self, **extra) -> Path:
        spec = {"data_dir": str(self.data_dir), "url": self.proxy.url, "token": self.central.kiosk_token,
                "procedure": self.procedure, "scan": str(self.scan_path), "hold_s": 1.5, **extra}
        path = self.workdir / "spec.json"
        path.write_text(json.dumps(spec), encoding="utf-8")
        return path

    def _start(self, spec: Path, fsize: int | None) -> subprocess.Popen:
        def limits():
            if fsize is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
                resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

        env = {**os.environ, "PYTHONPATH": str(ROOT), "ESCPOS_CAPABILITIES_PICKLE_DIR": str(self.escpos_cache)}
        return subprocess.Popen([sys.executable, str(CHILD), str(spec)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env, preexec_fn=limits)

    @staticmethod
    def _collect(process: subprocess.Popen, lines: list[dict]) -> threading.Thread:
        def read():
            for raw in process.stdout:
                try:
                    lines.append(json.loads(raw))
                except ValueError:
                    lines.append({"garbled": raw.strip()})

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        return reader

    def run_round(self, plan: RoundPlan) -> ChildRun:
        for op in plan.ops:
            if op["kind"] in self.planned:
                self.planned[op["kind"]].add(op.get("marker") or op.get("id_number"))
        self._repair_escpos_cache()
        fsize = None if plan.disk_room is None else _largest_file(self.data_dir) + plan.disk_room
        process = self._start(self._spec(printer=plan.printer, ops=plan.ops, linger_s=1.0), fsize)
        lines: list[dict] = []
        reader = self._collect(process, lines)
        started = None
        strikes = list(plan.strikes)
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if started is None and lines:
                started = time.monotonic()
            if started is not None:
                elapsed = time.monotonic() - started
                while strikes and strikes[0][0] <= elapsed:
                    self._strike(strikes.pop(0)[1])
                if plan.kill_at is not None and elapsed >= plan.kill_at:
                    os.kill(process.pid, signal.SIGKILL)
                    break
            time.sleep(0.02)
        if process.poll() is None and plan.kill_at is None:
            process.kill()  # past the deadline: a hung kiosk is a failure the checks will show
        process.wait(30)
        reader.join(10)
        stderr = process.stderr.read()
        process.stdout.close()
        process.stderr.close()
        self.proxy.set_mode("up")
        self.central.start()
        run = ChildRun(process.returncode, lines, stderr)
        if plan.cli_dossier:
            run.lines.append(self._dossier_cli(plan.cli_dossier))
        self._count(plan, run)
        return run

    def _dossier_cli(self, order: dict) -> dict:
        """``kiosk dossier submit`` with the kiosk's own data folder, maybe SIGKILLed part-way."""
        self.planned["dossier"].add(order["id_number"])
        payload = "|".join([order["id_number"], "", "Đỗ Văn Thử", "06051980", "Nam",
                            "Thôn Thử Nghiệm, xã Hợp Thịnh", "01012022"])
        cmd = [sys.executable, "-m", "kiosk", "dossier", "submit", "--config", str(self._config_file()),
               "--procedure", CLI_PROCEDURE, "--id-payload", payload, "--field", "document_name=Bằng tốt nghiệp",
               "--doc", str(self.scan_path), "--wait", "2"]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ESCPOS_CAPABILITIES_PICKLE_DIR": str(self.escpos_cache)}
        self.proxy.set_mode(order["network"])
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = process.communicate(timeout=order["kill_at"] or 90)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        finally:
            self.proxy.set_mode("up")
        if process.returncode == -signal.SIGKILL:
            self.tally.killed += 1
            return {"cli_killed": True}
        if process.returncode == 0 and out.strip():
            return {"accepted": "dossier", "id_number": order["id_number"], "via": "cli", **json.loads(out)}
        return {"refused": "dossier", "exception": f"exit {process.returncode}", "error": (err or out)[-160:]}

    def _config_file(self) -> Path:
        path = self.workdir / "kiosk.toml"
        if not path.exists():
            path.write_text(
                f'[kiosk]\nid = "chaos-kiosk"\ndata_dir = "{self.data_dir}"\noffline_prefix = "K9"\n'
                f'[central]\nurl = "{self.proxy.url}"\ntoken = "{self.central.kiosk_token}"\nembedded = false\n'
                'connect_timeout_s = 0.5\nread_timeout_s = 1.5\n[devices]\nprinter = "sim://"\n'
                'camera = "none://"\nqr_reader = "none://"\nspeaker = "none://"\nlocker = "none://"\n',
                encoding="utf-8")
        return path

    def _repair_escpos_cache(self) -> None:
        """A kiosk killed (or out of disk) while python-escpos wrote its cache leaves it broken and every
        later start fails to print (``test_chaos_escpos_cache.py``); count it and remove it so the
        next rounds still test something."""
        for path in self.escpos_cache.glob("*.pickle"):
            try:
                pickle.loads(path.read_bytes())
            except Exception:
                self.tally.known["escpos capabilities cache left broken"] += 1
                path.unlink()

    def _strike(self, action: str) -> None:
        target, _, what = action.partition(":")
        if target == "proxy":
            self.proxy.set_mode(what)
        elif what == "stop":
            self.central.stop()
        else:
            self.central.start()
        self.tally.faults[action] += 1

    def _count(self, plan: RoundPlan, run: ChildRun) -> None:
        self.tally.rounds += 1
        self.tally.killed += run.returncode == -signal.SIGKILL
        for line in run.lines:
            if "accepted" in line:
                self.tally.accepted[line["accepted"] + (" (CLI)" if line.get("via") == "cli" else "")] += 1
                if line["accepted"] in self.reported:
                    self.reported[line["accepted"]].add(line.get("marker") or line.get("id_number"))
            elif "refused" in line:
                self.tally.refused[line["refused"]] += 1
                self.tally.reasons[f"{line['refused']}: {line.get('exception')}: {line.get('error', '')[:70]}"] += 1
        if plan.disk_room is not None:
            self.tally.faults["disk_full"] += 1
        if plan.printer != "sim://":
            self.tally.faults[plan.printer.split("?", 1)[1]] += 1

    def drain(self) -> ChildRun:
        """A healthy kiosk run that delivers everything and voids what was left unprinted."""
        process = self._start(self._spec(drain=True, ops=[], drain_deadline_s=40.0), None)
        lines: list[dict] = []
        reader = self._collect(process, lines)
        process.wait(90)
        reader.join(10)
        stderr = process.stderr.read()
        process.stdout.close()
        process.stderr.close()
        return ChildRun(process.returncode, lines, stderr)

    # --- what must hold -----------------------------------------------------------------------------

    def _query(self, sql: str) -> list[sqlite3.Row]:
        conn = sqlite3.connect(f"file:{self.data_dir / 'outbox.sqlite3'}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def ledger(self) -> list[sqlite3.Row]:
        return self._query("SELECT i.issue_key, i.number, i.offline, i.reference, p.state AS print_state "
                           "FROM tickets_issued i LEFT JOIN ticket_prints p ON p.issue_key = i.issue_key")

    def requested(self) -> list[sqlite3.Row]:
        """Issue requests written down before sending and not yet recorded or settled."""
        return self._query("SELECT issue_key, run FROM tickets_requested")

    def check(self) -> list[str]:
        """Every problem found between the kiosk's records and the central service's, as sentences."""
        problems = []
        tickets = self.central.rows(models.Ticket)
        by_reference = {t.reference: t for t in tickets}
        by_number = Counter(t.number for t in tickets)
        matched = set()
        for row in self.ledger():
            if row["offline"]:
                found = [t for t in tickets if t.number == row["number"]]
            else:
                found = [by_reference[row["reference"]]] if row["reference"] in by_reference else []
            if len(found) != 1:
                problems.append(f"ticket {row['number']} (kiosk state {row['print_state']}) is at the "
                                f"central service {len(found)} times")
                continue
            ticket = found[0]
            matched.add(ticket.reference)
            if row["print_state"] in ("printed", "shown") and ticket.status == "voided":
                problems.append(f"ticket {row['number']} was handed out but is voided at the central service")
            elif row["print_state"] not in ("printed", "shown") and ticket.status != "voided":
                problems.append(f"ticket {row['number']} was never handed out (kiosk state "
                                f"{row['print_state']}) but is {ticket.status} at the central service")
        for ticket in tickets:
            if ticket.reference in matched or ticket.status == "voided":
                continue
            problems.append(f"ticket {ticket.number} is {ticket.status} at the central service but "
                            f"the kiosk holds no record of it: an orphaned number")
        problems += [f"ticket number {n} drawn {c} times" for n, c in by_number.items() if c > 1]
        problems += [f"issue request {row['issue_key'][:8]}… is still unsettled after the drain"
                     for row in self.requested()]
        ratings = Counter(reason for r in self.central.rows(models.Rating) for reason in r.reasons)
        dossier_rows = self.central.rows(models.Dossier)
        dossiers = Counter(d.owner_id_number for d in dossier_rows)
        references = Counter(d.kiosk_reference for d in dossier_rows if d.kiosk_reference)
        problems += [f"dossier kiosk reference {r} recorded {c} times" for r, c in references.items() if c > 1]
        documents = Counter(doc.dossier_id for doc in self.central.rows(models.Document) if doc.dossier_id)
        problems += [f"dossier of {d.owner_id_number} has {documents[d.id]} documents, not 1"
                     for d in dossier_rows if documents[d.id] != 1]
        for kind, seen in (("rating", ratings), ("dossier", dossiers)):
            problems += [f"{kind} {k} recorded {c} times" for k, c in seen.items() if c > 1]
            problems += [f"{kind} {k} accepted by the kiosk is missing" for k in self.reported[kind] if k not in seen]
            problems += [f"{kind} {k} was never planned" for k in seen if k not in self.planned[kind]]
        return problems

    def summary(self) -> str:
        t = self.tally
        accepted = ", ".join(f"{k} {v}" for k, v in sorted(t.accepted.items())) or "none"
        refused = ", ".join(f"{k} {v}" for k, v in sorted(t.refused.items())) or "none"
        faults = ", ".join(f"{k} {v}" for k, v in sorted(t.faults.items())) or "none"
        return (f"chaos: {t.rounds} rounds, kiosk SIGKILLed {t.killed} times; accepted: {accepted}; "
                f"refused: {refused}; faults: {faults}; "
                + "".join(f"{reason}: {n} times; " for reason, n in t.known.items()) + "refusals: " + "; ".join(
                    f"{n}× {reason}" for reason, n in t.reasons.most_common(4)))
