"""The admin PIN: stored hashed, checked in constant time, locked out after repeated failures.

The PIN (6 to 12 digits) is kept as a salted scrypt hash in ``<data_dir>/admin/pin.json``; it is set
with ``kiosk admin set-pin``, which reads it from a prompt or stdin, never from the command line.

After ``max_failures`` wrong PINs in a row the admin screen is locked for ``lockout_s``; from then on
every further wrong PIN locks it again for twice as long, up to ``max_lockout_s``, until a right PIN
(or ``kiosk admin unlock`` at a shell) resets the count. The count lives in
``<data_dir>/admin/attempts.json`` and is written *before* the PIN is checked, so neither a restart
nor pulling the plug mid-check gives anyone fresh tries. It runs on the wall clock (it must survive a
reboot); a lock that reaches further ahead than ``max_lockout_s`` (the clock was set back) is cut to
``max_lockout_s`` from now.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import math
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.i18n import N_

log = logging.getLogger(__name__)

ADMIN_DIR = "admin"
PIN_FILE = "pin.json"
ATTEMPTS_FILE = "attempts.json"
PIN_LENGTHS = (6, 12)
SCRYPT = {"n": 2**14, "r": 8, "p": 1}

MSG_WRONG = N_("Wrong PIN. {tries} tries left before admin mode is locked.")
MSG_WRONG_LOCKED = N_("Wrong PIN. Admin mode is locked for {minutes} minutes.")
MSG_LOCKED = N_("Too many wrong PINs. Admin mode is locked for {minutes} more minutes.")
MSG_NOT_SET = N_("No admin PIN is set on this kiosk. Staff can set one with: kiosk admin set-pin")
MSG_UNAVAILABLE = N_("Admin mode is not available: the kiosk cannot record PIN attempts. Please check its storage.")


class PinError(Exception):
    """A PIN that may not be set, or a PIN file that cannot be used; the message is for the operator."""


@dataclass(frozen=True)
class PinCheck:
    """The answer to one PIN entry. ``message`` is a message id; format it with ``values``."""

    outcome: str  # "ok", "wrong", "locked", "not_set", "unavailable"
    message: str = ""
    tries_left: int | None = None
    locked_until: float | None = None
    values: dict | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True)
class Attempts:
    failures: int = 0
    locked_until: float = 0.0


def check_new_pin(pin: str) -> None:
    """Raise ``PinError`` when ``pin`` is not allowed as the admin PIN."""
    low, high = PIN_LENGTHS
    if not pin.isascii() or not pin.isdigit() or not low <= len(pin) <= high:
        raise PinError(f"the PIN must be {low} to {high} digits")
    if len(set(pin)) == 1:
        raise PinError("the PIN must not be one digit repeated")
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:])}
    if steps in ({1}, {9}):
        raise PinError("the PIN must not be a run of consecutive digits")


def _write_json(path: Path, data: dict) -> None:
    """Replace ``path`` atomically (mode 0600) and make it durable."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _hash(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


class AdminPin:
    def __init__(
        self,
        data_dir: Path,
        *,
        clock: Callable[[], float] = time.time,
        max_failures: int = 5,
        lockout_s: float = 60.0,
        max_lockout_s: float = 3600.0,
        scrypt_n: int = SCRYPT["n"],
    ):
        self.folder = Path(data_dir) / ADMIN_DIR
        self.clock = clock
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.max_lockout_s = max_lockout_s
        #: scrypt's cost for new PINs (a PIN file keeps the cost it was made with).
        self.scrypt_n = scrypt_n

    @property
    def pin_path(self) -> Path:
        return self.folder / PIN_FILE

    @property
    def attempts_path(self) -> Path:
        return self.folder / ATTEMPTS_FILE

    def _folder(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o700)
        return self.folder

    # --- the PIN ----------------------------------------------------------------------------------

    def is_set(self) -> bool:
        return self.pin_path.is_file()

    def set(self, pin: str) -> None:
        """Store ``pin`` hashed and clear the failure count."""
        check_new_pin(pin)
        salt = secrets.token_bytes(16)
        cost = {**SCRYPT, "n": self.scrypt_n}
        record = {"scheme": "scrypt", **cost, "salt": base64.b64encode(salt).decode("ascii")}
        record["hash"] = base64.b64encode(_hash(pin, salt, **cost)).decode("ascii")
        try:
            _write_json(self._folder() / PIN_FILE, record)
            self._save(Attempts())
        except OSError as err:
            raise PinError(f"cannot write {self.folder}: {err.strerror}") from None
        log.info("admin PIN changed")

    def _matches(self, pin: str) -> bool:
        try:
            record = json.loads(self.pin_path.read_text(encoding="utf-8"))
            if record.get("scheme") != "scrypt":
                raise ValueError(f"unknown scheme {record.get('scheme')!r}")
            salt = base64.b64decode(record["salt"], validate=True)
            expected = base64.b64decode(record["hash"], validate=True)
            params = {k: int(record[k]) for k in ("n", "r", "p")}
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise PinError(f"the admin PIN file {self.pin_path} is damaged ({err}); set the PIN again") from None
        try:
            plausible = pin.isascii() and len(pin) <= 64
            candidate = _hash(pin, salt, **params) if plausible else secrets.token_bytes(32)
        except ValueError as err:
            raise PinError(f"the admin PIN file {self.pin_path} has bad parameters ({err})") from None
        return hmac.compare_digest(candidate, expected)

    # --- attempts and lockout ---------------------------------------------------------------------

    def attempts(self) -> Attempts:
        """The failure count and lock, as stored; a damaged file counts as locked (fail closed)."""
        try:
            data = json.loads(self.attempts_path.read_text(encoding="utf-8"))
            attempts = Attempts(int(data["failures"]), float(data["locked_until"]))
        except FileNotFoundError:
            return Attempts()
        except (OSError, ValueError, KeyError, TypeError):
            log.error("admin PIN attempts file %s is damaged; treating admin mode as locked", self.attempts_path)
            return Attempts(self.max_failures, self.clock() + self.lockout_s)
        now = self.clock()
        if attempts.locked_until - now > self.max_lockout_s:
            attempts = Attempts(attempts.failures, now + self.max_lockout_s)
        return attempts

    def _save(self, attempts: Attempts) -> None:
        _write_json(self._folder() / ATTEMPTS_FILE, {"failures": attempts.failures, "locked_until": attempts.locked_until})

    def _lock_for(self, failures: int) -> float:
        if failures < self.max_failures:
            return 0.0
        return min(self.lockout_s * 2 ** (failures - self.max_failures), self.max_lockout_s)

    def _locked(self, until: float, now: float, message: str = MSG_LOCKED) -> PinCheck:
        minutes = max(1, math.ceil((until - now) / 60))
        return PinCheck("locked", message, 0, until, {"minutes": minutes})

    def unlock(self) -> None:
        """Clear the failure count (for staff at a shell)."""
        self._save(Attempts())
        log.info("admin PIN lockout cleared")

    def check(self, pin: str) -> PinCheck:
        """Check one PIN entry from the admin screen."""
        if not self.is_set():
            return PinCheck("not_set", MSG_NOT_SET)
        now = self.clock()
        before = self.attempts()
        if before.locked_until > now:
            return self._locked(before.locked_until, now)
        failures = before.failures + 1
        lock = self._lock_for(failures)
        try:
            self._save(Attempts(failures, now + lock if lock else 0.0))
        except OSError as err:
            log.error("cannot record an admin PIN attempt in %s: %s", self.folder, err.strerror)
            return PinCheck("unavailable", MSG_UNAVAILABLE)
        try:
            matches = self._matches(pin)
        except PinError as err:
            log.error("%s", err)
            return PinCheck("unavailable", MSG_UNAVAILABLE)
        if matches:
            try:
                self._save(Attempts())
            except OSError as err:
                log.error("cannot clear admin PIN attempts in %s: %s", self.folder, err.strerror)
            log.info("admin mode opened")
            return PinCheck("ok")
        log.warning("wrong admin PIN (%d in a row)", failures)
        if lock:
            return self._locked(now + lock, now, MSG_WRONG_LOCKED)
        tries = self.max_failures - failures
        return PinCheck("wrong", MSG_WRONG, tries, None, {"tries": tries})
