"""What the kiosk remembers about the dossiers it took in, in the outbox database (no personal data).

* ``dossier_counters``: the daily count behind kiosk references, ``K1-261122-0007`` (the kiosk's
  offline prefix, the day in Vietnam time, a four-digit count). A restart never reuses a reference.
* ``dossier_submissions``: one row per submission: its reference (also the outbox key of its job), a
  fingerprint of what was submitted (so the same submit repeated makes no second dossier), the
  procedure, when it was received, the expected date, central's code once known, and its state:
  ``drawn`` (reference taken, job being queued), ``queued``, ``delivered`` or ``failed``.
* ``dossier_calendar``: the office calendar last fetched from the central service.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from kiosk.outbox.store import Outbox

KEEP_DAYS = 60

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS dossier_counters (
        day TEXT PRIMARY KEY,
        last INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS dossier_submissions (
        reference TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        procedure TEXT NOT NULL,
        received_at TEXT NOT NULL,
        expected TEXT,
        code TEXT,
        state TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS dossier_submissions_fingerprint ON dossier_submissions (fingerprint)",
    "CREATE INDEX IF NOT EXISTS dossier_submissions_code ON dossier_submissions (code)",
    """CREATE TABLE IF NOT EXISTS dossier_calendar (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        body TEXT NOT NULL,
        fetched_at TEXT NOT NULL
    )""",
)


@dataclass(frozen=True)
class Submission:
    reference: str
    procedure: str
    received_at: dt.datetime
    expected: dt.date | None
    code: str | None
    state: str


def _row(row) -> Submission:
    return Submission(
        reference=row["reference"],
        procedure=row["procedure"],
        received_at=dt.datetime.fromisoformat(row["received_at"]),
        expected=dt.date.fromisoformat(row["expected"]) if row["expected"] else None,
        code=row["code"],
        state=row["state"],
    )


class Ledger:
    def __init__(self, outbox: Outbox, prefix: str, now: dt.datetime):
        self.outbox = outbox
        self.prefix = prefix
        with outbox.transaction() as conn:
            for statement in SCHEMA:
                conn.execute(statement)
            cutoff = (now - dt.timedelta(days=KEEP_DAYS)).isoformat()
            conn.execute("DELETE FROM dossier_submissions WHERE state = 'delivered' AND received_at < ?", (cutoff,))
            conn.execute("DELETE FROM dossier_counters WHERE day < ?", ((now - dt.timedelta(days=2)).strftime("%y%m%d"),))

    def draw(self, fingerprint: str, procedure: str, received_at: dt.datetime) -> Submission:
        """Take the next reference of the day for a new submission; or the one the same submission got."""
        day = received_at.strftime("%y%m%d")
        with self.outbox.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM dossier_submissions WHERE fingerprint = ? AND substr(received_at, 1, 10) = ?",
                (fingerprint, received_at.date().isoformat()),
            ).fetchone()
            if row is not None:
                return _row(row)
            count = conn.execute(
                """INSERT INTO dossier_counters (day, last) VALUES (?, 1)
                   ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last""",
                (day,),
            ).fetchall()[0][0]
            reference = f"{self.prefix}-{day}-{count:04d}"
            conn.execute(
                """INSERT INTO dossier_submissions (reference, fingerprint, procedure, received_at, state, updated_at)
                   VALUES (?, ?, ?, ?, 'drawn', ?)""",
                (reference, fingerprint, procedure, received_at.isoformat(), received_at.isoformat()),
            )
        return Submission(reference, procedure, received_at, None, None, "drawn")

    def update(self, reference: str, state: str, *, code: str | None = None, expected: dt.date | None = None) -> None:
        with self.outbox.transaction() as conn:
            conn.execute(
                """UPDATE dossier_submissions SET state = ?, code = COALESCE(?, code),
                       expected = COALESCE(?, expected), updated_at = ? WHERE reference = ?""",
                (state, code, expected.isoformat() if expected else None, dt.datetime.now().isoformat(), reference),
            )

    def get(self, handle: str) -> Submission | None:
        """A submission of this kiosk by its reference or central's code."""
        with self.outbox.reading() as conn:
            row = conn.execute(
                "SELECT * FROM dossier_submissions WHERE reference = ? OR code = ? LIMIT 1", (handle, handle)
            ).fetchone()
        return _row(row) if row else None

    def job_status(self, reference: str) -> str | None:
        """The state of the submission's outbox job (``queued``, ``in_flight``, ``failed``); ``None`` when
        the outbox no longer holds it (delivered)."""
        with self.outbox.reading() as conn:
            row = conn.execute(
                "SELECT status FROM outbox_jobs WHERE idempotency_key = ? AND kind = 'dossier'", (reference,)
            ).fetchone()
        return row[0] if row else None

    # --- the office calendar ------------------------------------------------------------------------

    def save_calendar(self, answer: dict, fetched_at: dt.datetime) -> None:
        with self.outbox.transaction() as conn:
            conn.execute(
                "INSERT INTO dossier_calendar (id, body, fetched_at) VALUES (1, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
                (json.dumps(answer), fetched_at.isoformat()),
            )

    def calendar(self) -> tuple[dict, dt.datetime] | None:
        with self.outbox.reading() as conn:
            row = conn.execute("SELECT body, fetched_at FROM dossier_calendar WHERE id = 1").fetchone()
        return (json.loads(row[0]), dt.datetime.fromisoformat(row[1])) if row else None
