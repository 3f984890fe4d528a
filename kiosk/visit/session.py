"""One citizen's visit: everything personal the kiosk holds about them, and its wipe.

A ``Visit`` holds the identity read from the ID card (an opaque object from ``kiosk.identity``), the
chosen service, form data, the language, and the visit's sealed files (``VisitFiles``). Parts of the
kiosk that keep personal data elsewhere (an outbox draft, a private speech rendering) register a
cleanup callback with ``on_end``. ``end(reason)`` then, in this order: calls the callbacks, shreds the
files and forgets their key, drops the visit's strings from the log redactor and clears every personal
attribute. A callback that fails is logged (without personal data) and the wipe goes on.

``Visits`` keeps the one current visit of a kiosk, begins and ends it, and at start-up sweeps the
folders a crashed run left behind (their key died with that run; they are shredded all the same).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path

from kiosk import logs
from kiosk.visit.files import VisitFiles, shred_tree

log = logging.getLogger(__name__)

VISITS_DIR = "visits"
#: Why a visit ended: finished, the citizen walked away, pressed cancel, the kiosk shut down, or a
#: new citizen started before the last visit was ended.
END_REASONS = ("done", "timeout", "cancelled", "shutdown", "replaced")
#: Attributes of an identity object that are personal, read first when present.
IDENTITY_TEXTS = ("id_number", "old_id_number", "full_name", "name", "address", "payload", "raw")
IDENTITY_DATES = ("date_of_birth",)

Cleanup = Callable[[str], object]


class VisitEnded(Exception):
    """The visit was already wiped; nothing can be added to it."""


@dataclass(frozen=True)
class WipeReport:
    visit_id: str
    reason: str
    files_shredded: int = 0
    cleanups: int = 0
    cleanups_failed: int = 0


def _texts_of(value: object, depth: int = 0) -> list[str]:
    """The strings inside ``value`` (str, date, list, dict, object attributes), for redaction."""
    if depth > 3 or value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (bytes, bytearray)):
        return [bytes(value).decode("utf-8", errors="ignore")]
    if isinstance(value, dt.date):
        return [value.isoformat(), value.strftime("%d%m%Y"), value.strftime("%d/%m/%Y")]
    if isinstance(value, (int, float, bool)):
        return []
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts_of(v, depth + 1)]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [t for v in value for t in _texts_of(v, depth + 1)]
    return identity_texts(value, depth + 1)


def identity_texts(identity: object, depth: int = 0) -> list[str]:
    """Every personal string an identity object holds, whatever its class looks like."""
    texts: list[str] = []
    for name in IDENTITY_TEXTS + IDENTITY_DATES:
        texts += _texts_of(getattr(identity, name, None), depth)
    if is_dataclass(identity) and not isinstance(identity, type):
        values = [getattr(identity, f.name, None) for f in fields(identity)]
    else:
        values = list(getattr(identity, "__dict__", {}).values())
    for value in values:
        texts += _texts_of(value, depth)
    return texts


class Visit:
    """The personal data of one visit. Create through ``Visits.begin``."""

    def __init__(
        self,
        root: Path,
        *,
        language: str,
        redactor: logs.Redactor | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.id = secrets.token_hex(8)
        self.language = language
        self.started_at = clock()
        self.ended: str | None = None
        self.service: str | None = None
        self.form: dict[str, object] = {}
        self._identity: object | None = None
        self._redactor = redactor or logs.redactor
        self._cleanups: list[Cleanup] = []
        self._lock = threading.RLock()
        self.files: VisitFiles | None = VisitFiles(Path(root) / self.id)

    def __repr__(self) -> str:
        state = f"ended: {self.ended}" if self.ended else "active"
        return f"<Visit {self.id} {state}>"

    @property
    def active(self) -> bool:
        return self.ended is None

    def _check(self) -> None:
        if self.ended is not None:
            raise VisitEnded(f"visit {self.id} has ended ({self.ended})")

    @property
    def identity(self) -> object | None:
        return self._identity

    @identity.setter
    def identity(self, identity: object | None) -> None:
        with self._lock:
            self._check()
            self._identity = identity
            if identity is not None:
                self._redactor.add(self.id, identity_texts(identity))

    def update_form(self, **values: object) -> None:
        """Add or change form fields; their text is redacted from logs until the visit ends."""
        with self._lock:
            self._check()
            self.form.update(values)
            self._redactor.add(self.id, _texts_of(values))

    def sensitive(self, *texts: str) -> None:
        """Strings that must never reach a log while this visit lasts (e.g. a phone number typed in)."""
        with self._lock:
            self._check()
            self._redactor.add(self.id, texts)

    def on_end(self, cleanup: Cleanup) -> None:
        """Call ``cleanup(reason)`` when the visit ends (before its files are shredded)."""
        with self._lock:
            self._check()
            self._cleanups.append(cleanup)

    def end(self, reason: str = "done") -> WipeReport:
        """Wipe the visit. Safe to call again: later calls wipe nothing and report zero."""
        if reason not in END_REASONS:
            raise ValueError(f"unknown reason {reason!r} (expected one of {', '.join(END_REASONS)})")
        with self._lock:
            if self.ended is not None:
                return WipeReport(self.id, self.ended)
            self.ended = reason
            cleanups, self._cleanups = self._cleanups, []
            failed = 0
            shredded = 0
            try:
                for cleanup in cleanups:
                    try:
                        cleanup(reason)
                    except Exception as err:  # one broken cleanup must not keep the rest of the data
                        failed += 1
                        log.error("visit %s: a cleanup step failed: %s", self.id, type(err).__name__)
            finally:
                if self.files is not None:
                    shredded = self.files.wipe()
                self.files = None
                self._identity = None
                self.form = {}
                self.service = None
                self._redactor.drop(self.id)
        log.info(
            "visit %s ended (%s): %d files shredded, %d cleanups (%d failed)",
            self.id, reason, shredded, len(cleanups), failed,
        )
        return WipeReport(self.id, reason, shredded, len(cleanups), failed)


class Visits:
    """The kiosk's current visit. ``on_end`` callbacks run at the end of every visit (speaker reset)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        redactor: logs.Redactor | None = None,
        on_end: Iterable[Cleanup] = (),
        clock: Callable[[], float] = time.monotonic,
    ):
        self.root = Path(data_dir) / VISITS_DIR
        self.redactor = redactor or logs.redactor
        self.every_end = list(on_end)
        self.clock = clock
        self.current: Visit | None = None
        self._lock = threading.Lock()

    def _ensure_root(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)

    def begin(self, language: str) -> Visit:
        """Start a visit; a visit still open is ended first (reason ``replaced``)."""
        with self._lock:
            previous, self.current = self.current, None
        if previous is not None:
            previous.end("replaced")
        self._ensure_root()
        visit = Visit(self.root, language=language, redactor=self.redactor, clock=self.clock)
        for cleanup in self.every_end:
            visit.on_end(cleanup)
        with self._lock:
            self.current = visit
        return visit

    def end(self, reason: str = "done") -> WipeReport | None:
        with self._lock:
            visit, self.current = self.current, None
        return visit.end(reason) if visit is not None else None

    def sweep(self) -> int:
        """Shred visit folders left by an earlier run (all but the current visit's); returns how many."""
        if not self.root.exists():
            return 0
        keep = self.current.id if self.current is not None else None
        swept = 0
        for folder in sorted(self.root.iterdir()):
            if folder.name == keep:
                continue
            if folder.is_dir() and not folder.is_symlink():
                shred_tree(folder)
            else:
                folder.unlink(missing_ok=True)
            swept += 1
        if swept:
            log.warning("removed %d visit folder(s) left by an earlier run", swept)
        return swept


def speaker_reset(speaker) -> Cleanup:
    """A cleanup that stops speech and puts the volume back to its default after every visit."""

    def reset(_reason: str) -> None:
        speaker.reset()

    return reset
