"""Whether the kiosk serves citizens now: its opening hours, and staff's "lock now" and "unlock".

The opening hours (``kiosk.admin.hours``) decide by default. Staff can override them from admin mode:

- "lock now": the kiosk is locked until staff unlock it, also across restarts (a broken printer, a
  meeting in the hall);
- "unlock" while the hours say closed: the kiosk is open until the next opening time or the end of the
  day, whichever comes first; then the hours decide again. "Unlock" while locked by staff just lifts
  that lock.

The override is kept in ``<data_dir>/admin/lock.json``; a damaged file is ignored (the hours decide)
and reported in the log. ``state()`` is a plain value for the admin screen and the closed screen.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.admin.hours import OpeningHours
from kiosk.admin.pin import ADMIN_DIR, _write_json
from kiosk.i18n import N_, translate

log = logging.getLogger(__name__)

LOCK_FILE = "lock.json"

MSG_ALWAYS_OPEN = N_("Open: this kiosk is not locked after hours.")
MSG_OPEN_UNTIL = N_("Open now, by the opening hours, until {time}.")
MSG_CLOSED_UNTIL = N_("Closed by the opening hours. Opens again {when}.")
MSG_CLOSED_FOR_GOOD = N_("Closed by the opening hours, with no opening time ahead.")
MSG_STAFF_LOCKED = N_("Locked by staff until someone unlocks it.")
MSG_STAFF_OPEN = N_("Opened by staff outside the opening hours, until {time}.")
MSG_CLOSED_BY_STAFF = N_("The kiosk is closed now. Please ask at the reception desk.")


@dataclass(frozen=True)
class LockState:
    locked: bool
    #: Who decided: "hours" (the opening hours) or "staff" (lock now / unlock).
    by: str
    #: When this state ends by itself (Vietnam time); ``None``: not by itself.
    until: dt.datetime | None = None
    #: ``hours.lock_after_hours`` is off: the kiosk never locks by itself.
    always_open: bool = False

    def describe(self, language: str) -> str:
        """One line for staff in ``language``: locked or open, why, and until when."""
        when = _when(self.until, language) if self.until else ""
        if self.by == "staff":
            return translate(MSG_STAFF_LOCKED, language) if self.locked else translate(MSG_STAFF_OPEN, language, time=when)
        if self.always_open:
            return translate(MSG_ALWAYS_OPEN, language)
        if not self.locked:
            return translate(MSG_OPEN_UNTIL, language, time=when)
        if self.until is None:
            return translate(MSG_CLOSED_FOR_GOOD, language)
        return translate(MSG_CLOSED_UNTIL, language, when=when)


def _when(moment: dt.datetime, language: str) -> str:
    from babel.dates import format_datetime

    return format_datetime(moment, "HH:mm, d/M", locale=language)


class KioskLock:
    def __init__(self, hours: OpeningHours, data_dir: Path, *, clock: Callable[[], float] = time.time):
        self.hours = hours
        self.path = Path(data_dir) / ADMIN_DIR / LOCK_FILE
        self.clock = clock

    def now(self) -> dt.datetime:
        return OpeningHours.local(dt.datetime.fromtimestamp(self.clock(), dt.timezone.utc))

    def _override(self) -> dict | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            mode = data["mode"]
            until = data.get("until")
            if mode not in ("locked", "open") or (until is not None and not isinstance(until, (int, float))):
                raise ValueError(f"unknown override {data!r}")
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as err:
            log.error("kiosk lock file %s cannot be used (%s); the opening hours decide", self.path, err)
            return None
        if until is not None and until <= self.clock():
            return None
        return {"mode": mode, "until": until}

    def state(self) -> LockState:
        now = self.now()
        override = self._override()
        if override is not None:
            until = override["until"]
            moment = dt.datetime.fromtimestamp(until, dt.timezone.utc).astimezone(now.tzinfo) if until else None
            return LockState(locked=override["mode"] == "locked", by="staff", until=moment)
        if not self.hours.hours.lock_after_hours:
            return LockState(locked=False, by="hours", always_open=True)
        if self.hours.is_open(now):
            return LockState(locked=False, by="hours", until=self.hours.closes_at(now))
        return LockState(locked=True, by="hours", until=self.hours.next_open(now))

    @property
    def locked(self) -> bool:
        return self.state().locked

    def lock_now(self) -> LockState:
        """Lock the kiosk until staff unlock it."""
        self._save({"mode": "locked", "until": None})
        log.info("admin: kiosk locked by staff")
        return self.state()

    def unlock(self) -> LockState:
        """Lift a staff lock; outside the hours, open until the next opening or the end of the day."""
        self._clear()
        if self.state().locked:
            now = self.now()
            midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0), now.tzinfo)
            opens = self.hours.next_open(now)
            until = min(opens, midnight) if opens is not None else midnight
            self._save({"mode": "open", "until": until.timestamp()})
            log.info("admin: kiosk opened by staff outside the opening hours until %s", until.strftime("%H:%M"))
        else:
            log.info("admin: staff lock lifted")
        return self.state()

    def notice(self, language: str) -> str:
        """What the closed screen says in ``language``; empty when the kiosk is open."""
        state = self.state()
        if not state.locked:
            return ""
        if state.by == "staff":
            return translate(MSG_CLOSED_BY_STAFF, language)
        return self.hours.closed_notice(self.now(), language)

    def _save(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _write_json(self.path, data)

    def _clear(self) -> None:
        self.path.unlink(missing_ok=True)
