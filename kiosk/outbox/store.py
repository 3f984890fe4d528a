"""The durable outbox: every write the kiosk owes the central service, in one SQLite file (WAL).

A job is a row: its kind, a caller-chosen idempotency key (UNIQUE; every retry sends the same one),
a JSON payload without personal data, the personal part sealed with ``SecretBox``, delivery progress
(JSON, e.g. how much of an upload the service holds), ``attempts`` and ``next_attempt_at``. Attached
files (document scans) are sealed too, under ``files_dir/<key>/``. Jobs are claimed one at a time under
``BEGIN IMMEDIATE``; rows left ``in_flight`` by a crash are queued again when the outbox opens. A
delivered job is deleted with its files; only per-kind counters (delivered, failed, coalesced, purged)
remain. A job the service refused for good stays ``failed`` with its reason until an operator retries
or purges it.

Other kiosk tables may live in the same file (``transaction()``), so that, for example, drawing an
offline ticket number and queuing its report commit together or not at all.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from kiosk.outbox.policy import Decision, JobError
from kiosk.outbox.secrets import SecretBox, SecretError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS outbox_jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL CHECK (status IN ('queued', 'in_flight', 'failed')),
        payload TEXT NOT NULL,
        sealed BLOB,
        file_count INTEGER NOT NULL DEFAULT 0,
        progress TEXT NOT NULL DEFAULT '{}',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,
        hold_until REAL NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        last_error TEXT,
        failed_reason TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS outbox_jobs_due ON outbox_jobs (status, next_attempt_at)",
    """CREATE TABLE IF NOT EXISTS outbox_counters (
        kind TEXT NOT NULL,
        outcome TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (kind, outcome)
    )""",
)


class JobStatus(str, Enum):
    QUEUED = "queued"
    IN_FLIGHT = "in_flight"
    FAILED = "failed"


@dataclass
class Job:
    """One claimed or listed job. ``personal`` and files are opened on demand through the outbox."""

    id: int
    kind: str
    key: str
    status: JobStatus
    payload: dict[str, Any]
    progress: dict[str, Any]
    attempts: int
    created_at: float
    next_attempt_at: float
    file_count: int = 0
    last_error: str | None = None
    failed_reason: str | None = None
    sealed: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class OutboxCounts:
    """Jobs by kind in each state, and what became of the jobs no longer in the outbox."""

    queued: dict[str, int]
    in_flight: dict[str, int]
    failed: dict[str, int]
    delivered: dict[str, int]
    coalesced: dict[str, int]
    purged: dict[str, int]

    @property
    def waiting(self) -> dict[str, int]:
        """Jobs still to deliver (queued or being delivered), by kind."""
        kinds = set(self.queued) | set(self.in_flight)
        return {k: self.queued.get(k, 0) + self.in_flight.get(k, 0) for k in sorted(kinds)}

    @property
    def waiting_total(self) -> int:
        return sum(self.waiting.values())


def _dump(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as err:
        raise ValueError(f"outbox payloads must be plain JSON: {err}") from None


class Outbox:
    def __init__(self, path: Path, box: SecretBox, *, files_dir: Path | None = None,
                 clock: Callable[[], float] = time.time, recover: bool = True):
        """Open (or create) the outbox. ``recover=False`` is for looking at the outbox of a running
        kiosk: it leaves that kiosk's in-flight jobs and files alone."""
        self.path = Path(path)
        self.files_dir = Path(files_dir) if files_dir else self.path.with_name(self.path.stem + "-files")
        self.box = box
        self.clock = clock
        self._lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.files_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.files_dir, 0o700)
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10.0)
        os.chmod(self.path, 0o600)  # SQLite gives its -wal and -shm files the same mode
        self._conn.row_factory = sqlite3.Row
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "secure_delete=ON", "busy_timeout=10000"):
            self._conn.execute(f"PRAGMA {pragma}")
        with self.transaction() as conn:
            for statement in SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self.recovered = 0
        if recover:
            self.recovered = self.recover()
            self._remove_orphan_files()

    # --- transactions -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``) on the outbox database."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if self._conn.in_transaction:  # a full disk may have rolled it back already
                    self._conn.execute("ROLLBACK")
                raise
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error:
                if self._conn.in_transaction:  # e.g. a full disk: SQLite may or may not have rolled back
                    self._conn.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # --- queuing ----------------------------------------------------------------------------------

    def enqueue(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        personal: dict[str, Any] | None = None,
        files: list[bytes] | None = None,
        key: str | None = None,
        coalesce: bool = False,
        conn: sqlite3.Connection | None = None,
    ) -> Job:
        """Queue a job; with an existing ``key`` return that job unchanged (enqueueing is idempotent).

        ``coalesce`` drops queued jobs of the same kind first (a newer heartbeat replaces an older one).
        Pass ``conn`` from ``transaction()`` to commit the job together with other writes.
        """
        key = key or str(uuid.uuid4())
        body = _dump(payload)
        sealed = self.box.seal(_dump(personal).encode("utf-8"), key) if personal is not None else None
        if conn is None:
            with self.transaction() as own:
                return self._insert(own, kind, key, body, sealed, files or [], coalesce)
        return self._insert(conn, kind, key, body, sealed, files or [], coalesce)

    def _insert(self, conn, kind, key, body, sealed, files, coalesce) -> Job:
        existing = conn.execute("SELECT * FROM outbox_jobs WHERE idempotency_key = ?", (key,)).fetchone()
        if existing is not None:
            if existing["kind"] != kind:
                raise ValueError(f"idempotency key already used by a {existing['kind']} job")
            return _job(existing)
        if coalesce:
            dropped = conn.execute(
                "DELETE FROM outbox_jobs WHERE kind = ? AND status = 'queued' RETURNING idempotency_key", (kind,)
            ).fetchall()
            if dropped:
                self._count(conn, kind, "coalesced", len(dropped))
                for row in dropped:
                    shutil.rmtree(self.files_dir / row[0], ignore_errors=True)
        if files:
            self._write_files(key, files)
        now = self.clock()
        cursor = conn.execute(
            """INSERT INTO outbox_jobs (kind, idempotency_key, status, payload, sealed, file_count,
                   next_attempt_at, created_at, updated_at)
               VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?) RETURNING *""",
            (kind, key, body, sealed, len(files), now, now, now),
        )
        return _job(cursor.fetchone())

    def _write_files(self, key: str, files: list[bytes]) -> None:
        folder = self.files_dir / key
        folder.mkdir(mode=0o700, exist_ok=True)
        for index, data in enumerate(files):
            target = folder / str(index)
            tmp = folder / f"{index}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(self.box.seal(data, f"{key}/file/{index}"))
                fh.flush()
                os.fsync(fh.fileno())
            tmp.replace(target)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _count(self, conn, kind: str, outcome: str, n: int = 1) -> None:
        conn.execute(
            """INSERT INTO outbox_counters (kind, outcome, count) VALUES (?, ?, ?)
               ON CONFLICT (kind, outcome) DO UPDATE SET count = count + excluded.count""",
            (kind, outcome, n),
        )

    # --- delivery ---------------------------------------------------------------------------------

    def claim(self) -> Job | None:
        """Take the oldest due job, mark it ``in_flight`` and count the attempt."""
        now = self.clock()
        with self.transaction() as conn:
            row = conn.execute(
                """UPDATE outbox_jobs SET status = 'in_flight', attempts = attempts + 1, updated_at = ?
                   WHERE id = (SELECT id FROM outbox_jobs WHERE status = 'queued' AND next_attempt_at <= ?
                               ORDER BY id LIMIT 1)
                   RETURNING *""",
                (now, now),
            ).fetchone()
        return _job(row) if row is not None else None

    def personal(self, job: Job) -> dict[str, Any]:
        """The job's personal part, opened; ``{}`` when it has none."""
        if job.sealed is None:
            return {}
        try:
            return json.loads(self.box.open(job.sealed, job.key))
        except SecretError as err:
            raise JobError(f"{job.kind} job {job.id}: {err}") from None

    def file(self, job: Job, index: int) -> bytes:
        try:
            sealed = (self.files_dir / job.key / str(index)).read_bytes()
        except OSError as err:
            raise JobError(f"{job.kind} job {job.id}: attached file {index} is missing ({err.strerror})") from None
        try:
            return self.box.open(sealed, f"{job.key}/file/{index}")
        except SecretError as err:
            raise JobError(f"{job.kind} job {job.id}: attached file {index}: {err}") from None

    def save_progress(self, job: Job, progress: dict[str, Any]) -> None:
        body = _dump(progress)
        with self.transaction() as conn:
            conn.execute("UPDATE outbox_jobs SET progress = ?, updated_at = ? WHERE id = ?",
                         (body, self.clock(), job.id))
        job.progress = json.loads(body)

    def delivered(self, job: Job) -> None:
        """The service has it: delete the job and its files, keep only the count."""
        with self.transaction() as conn:
            gone = conn.execute("DELETE FROM outbox_jobs WHERE id = ? RETURNING id", (job.id,)).fetchone()
            if gone is not None:
                self._count(conn, job.kind, "delivered")
        shutil.rmtree(self.files_dir / job.key, ignore_errors=True)

    def retry(self, job: Job, decision: Decision) -> float:
        """Queue the job again after ``decision.delay_s``; returns when it is next due."""
        now = self.clock()
        due = now + decision.delay_s
        with self.transaction() as conn:
            conn.execute(
                """UPDATE outbox_jobs SET status = 'queued', next_attempt_at = ?, hold_until = ?,
                       last_error = ?, updated_at = ? WHERE id = ?""",
                (due, now + decision.hold_s, decision.reason, now, job.id),
            )
        return due

    def fail(self, job: Job, reason: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                """UPDATE outbox_jobs SET status = 'failed', failed_reason = ?, last_error = ?, updated_at = ?
                   WHERE id = ?""",
                (reason, reason, self.clock(), job.id),
            )
            self._count(conn, job.kind, "failed")

    # --- start-up and operator actions --------------------------------------------------------------

    def recover(self) -> int:
        """Queue again the jobs a crash left ``in_flight`` (call only while no worker runs)."""
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE outbox_jobs SET status = 'queued', next_attempt_at = ?, updated_at = ? "
                "WHERE status = 'in_flight'",
                (self.clock(), self.clock()),
            )
            return cursor.rowcount

    def retry_now(self) -> int:
        """Make every queued job due now, except where the service asked us to wait longer."""
        now = self.clock()
        with self.transaction() as conn:
            return conn.execute(
                "UPDATE outbox_jobs SET next_attempt_at = MAX(hold_until, ?) "
                "WHERE status = 'queued' AND next_attempt_at > MAX(hold_until, ?)",
                (now, now),
            ).rowcount

    def retry_failed(self, ids: list[int] | None = None) -> int:
        """Give failed jobs another round of attempts (after the operator fixed the cause)."""
        where, args = "status = 'failed'", []
        if ids is not None:
            where += f" AND id IN ({','.join('?' * len(ids))})"
            args = list(ids)
        with self.transaction() as conn:
            return conn.execute(
                f"UPDATE outbox_jobs SET status = 'queued', attempts = 0, next_attempt_at = ?, "
                f"failed_reason = NULL WHERE {where}",
                [self.clock(), *args],
            ).rowcount

    def purge_failed(self, older_than_s: float = 0.0) -> int:
        """Delete failed jobs (and their personal data) last touched more than ``older_than_s`` ago."""
        with self.transaction() as conn:
            rows = conn.execute(
                "DELETE FROM outbox_jobs WHERE status = 'failed' AND updated_at <= ? "
                "RETURNING kind, idempotency_key",
                (self.clock() - older_than_s,),
            ).fetchall()
            for row in rows:
                self._count(conn, row["kind"], "purged")
        for row in rows:
            shutil.rmtree(self.files_dir / row["idempotency_key"], ignore_errors=True)
        return len(rows)

    def _remove_orphan_files(self) -> None:
        with self.reading() as conn:
            keys = {row[0] for row in conn.execute("SELECT idempotency_key FROM outbox_jobs WHERE file_count > 0")}
        for folder in self.files_dir.iterdir():
            if folder.name not in keys:
                shutil.rmtree(folder, ignore_errors=True) if folder.is_dir() else folder.unlink(missing_ok=True)

    # --- what the screens and the operator see -------------------------------------------------------

    def next_due(self) -> float | None:
        with self.reading() as conn:
            row = conn.execute("SELECT MIN(next_attempt_at) FROM outbox_jobs WHERE status = 'queued'").fetchone()
        return row[0]

    def counts(self) -> OutboxCounts:
        by_status: dict[str, dict[str, int]] = {s.value: {} for s in JobStatus}
        outcomes: dict[str, dict[str, int]] = {"delivered": {}, "coalesced": {}, "purged": {}, "failed": {}}
        with self.reading() as conn:
            for row in conn.execute("SELECT status, kind, COUNT(*) FROM outbox_jobs GROUP BY status, kind"):
                by_status[row[0]][row[1]] = row[2]
            for row in conn.execute("SELECT outcome, kind, count FROM outbox_counters"):
                outcomes.setdefault(row[0], {})[row[1]] = row[2]
        return OutboxCounts(
            queued=by_status["queued"],
            in_flight=by_status["in_flight"],
            failed=by_status["failed"],
            delivered=outcomes["delivered"],
            coalesced=outcomes["coalesced"],
            purged=outcomes["purged"],
        )

    def jobs(self, status: JobStatus | str | None = None) -> list[Job]:
        """Jobs without their sealed part, oldest first."""
        query, args = "SELECT * FROM outbox_jobs", ()
        if status is not None:
            query, args = query + " WHERE status = ?", (JobStatus(status).value,)
        with self.reading() as conn:
            rows = conn.execute(query + " ORDER BY id", args).fetchall()
        jobs = [_job(row) for row in rows]
        for job in jobs:
            job.sealed = None
        return jobs


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        key=row["idempotency_key"],
        status=JobStatus(row["status"]),
        payload=json.loads(row["payload"]),
        progress=json.loads(row["progress"]),
        attempts=row["attempts"],
        created_at=row["created_at"],
        next_attempt_at=row["next_attempt_at"],
        file_count=row["file_count"],
        last_error=row["last_error"],
        failed_reason=row["failed_reason"],
        sealed=row["sealed"],
    )
