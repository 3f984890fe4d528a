"""Issue requests written down before they are sent, and voids for those left without an answer.

Every ticket issue request is written down (``tickets_requested``: its key and body) before it is sent,
and crossed out in the transaction that records its ticket (or the offline one). A request still
written down belongs to a kiosk run that died waiting for the answer, or to one that got the answer but
could not record it (a full disk): nobody holds the number it may have drawn. ``IssueRequests.settle``
(at start-up and from the desk's periodic check) queues a void by key for each (``POST
/tickets/void-by-key``): the service voids the number drawn under the key, or spends the key so that
the request, arriving late, draws nothing.

Each run holds a lock file (``kiosk.outbox.runs``), so a request of a kiosk run still alive (the kiosk
and a CLI command on the same data folder) is left alone; this run's requests count as in flight from
just before they are written down until they are crossed out, so a settle run on another thread never
takes one in between.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

from kiosk.outbox.runs import RunLock
from kiosk.outbox.store import Outbox

log = logging.getLogger(__name__)

SCHEMA = """CREATE TABLE IF NOT EXISTS tickets_requested (
    issue_key TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    run TEXT NOT NULL,
    requested_at TEXT NOT NULL
)"""
#: Namespace of the keys of voids by key: one void key per issue key, so a void is queued once.
VOID_KEYS = uuid.UUID("0d6f3b8e-5a41-4c7e-9f27-8b1c2e4d7a90")


def void_key(issue_key: str) -> str:
    """The outbox key of the void by key of the request ``issue_key``."""
    return str(uuid.uuid5(VOID_KEYS, issue_key))


class IssueRequests:
    def __init__(self, outbox: Outbox, *, wake: Callable[[], None]):
        self.outbox = outbox
        self.wake = wake
        self.runs = RunLock(Path(outbox.path).with_name(Path(outbox.path).stem + "-runs"))
        self.run = self.runs.run
        #: Keys of this run's requests between being written down and being crossed out.
        self._sending: set[str] = set()
        with outbox.transaction() as conn:
            conn.execute(SCHEMA)

    def close(self) -> None:
        """End this run: let go of its lock, so a later run settles what it left written down."""
        self.runs.release()

    def note(self, key: str, body: dict, requested_at: str) -> None:
        """Write the request down before it is sent. Raises ``sqlite3.Error`` (then nothing may be sent)."""
        self._sending.add(key)  # before the row is seen: settle must not take it
        try:
            with self.outbox.transaction() as conn:
                conn.execute("INSERT INTO tickets_requested (issue_key, body, run, requested_at) VALUES (?, ?, ?, ?)",
                             (key, json.dumps(body, ensure_ascii=False), self.run, requested_at))
        except sqlite3.Error:
            self._sending.discard(key)
            raise

    def forget(self, key: str) -> None:
        """Cross out a request that drew no number (in a transaction of its own)."""
        try:
            with self.outbox.transaction() as conn:
                self.cross_out(conn, key)
        except sqlite3.Error as err:  # settled later: a void by key of a request that drew nothing
            log.warning("ticket request not crossed out: %s", err)
        finally:
            self.done(key)

    @staticmethod
    def cross_out(conn: sqlite3.Connection, key: str) -> None:
        """Cross out ``key`` inside the caller's transaction (the one that records its outcome)."""
        conn.execute("DELETE FROM tickets_requested WHERE issue_key = ?", (key,))

    def done(self, key: str) -> None:
        """``key`` is no longer in flight: crossed out, or left for ``settle`` to void."""
        self._sending.discard(key)

    def settle(self) -> int:
        """Queue a void by key for every request left without an answer; returns how many. Requests of
        kiosk runs still alive, and this run's in flight, are left alone."""
        with self.outbox.reading() as conn:
            rows = self._left(conn)
        settled = []
        if rows:
            try:
                with self.outbox.transaction() as conn:  # again under the lock: one may have been recorded
                    settled = self._left(conn)
                    for key, run in settled:
                        reason = "not_recorded" if run == self.run else "kiosk_restarted"
                        payload = {"issue_key": key, "reason": reason, "by_key": True}
                        self.outbox.enqueue("ticket_void", payload, key=void_key(key), conn=conn)
                        self.cross_out(conn, key)
            except sqlite3.Error as err:
                log.warning("%d unanswered ticket request(s) not settled yet: %s", len(rows), err)
                return 0
        if settled:
            log.info("%d ticket request(s) left without an answer; their numbers are voided by key", len(settled))
            self.wake()
        with self.outbox.reading() as conn:
            self.runs.forget_ended({row[0] for row in conn.execute("SELECT DISTINCT run FROM tickets_requested")})
        return len(settled)

    def _left(self, conn: sqlite3.Connection) -> list[tuple[str, str]]:
        """(key, run) of the requests written down by ended runs, or by this one and no longer in flight."""
        rows = [(r["issue_key"], r["run"]) for r in conn.execute("SELECT issue_key, run FROM tickets_requested")]
        ended = {run for _key, run in rows if run != self.run and not self.runs.alive(run)}
        return [(key, run) for key, run in rows if run in ended or (run == self.run and key not in self._sending)]
