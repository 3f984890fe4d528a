"""The service's own secret, for signing staff sessions and hashing citizens' ID numbers on tickets.

It is kept outside the database, so a copy of the database alone neither forges a session nor tells
whose tickets are whose: ``MOTCUA_CENTRAL_SECRET`` when set (give every host of one service the same
value), otherwise 32 random bytes in ``<data dir>/server.key``, made on first use with mode 0600.
Worker processes sharing the data directory read the same file. Each use gets its own key derived
from the secret (``key_for(settings, "staff-session")``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path

ENV = "MOTCUA_CENTRAL_SECRET"
FILE_NAME = "server.key"
_cache: dict[str, bytes] = {}
_lock = threading.Lock()


class ServerKeyError(RuntimeError):
    """The secret can be neither read nor made; the message says where and why."""


def _from_file(path: Path) -> bytes:
    """Read the key file, making it first if there is none: written aside, then linked into place,
    so a process starting at the same moment reads either no file or the whole key."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            aside = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(secrets.token_bytes(32))
                    fh.flush()
                    os.fsync(fh.fileno())
                try:
                    os.link(aside, path)
                except FileExistsError:
                    pass  # another process made it first: use theirs
            finally:
                aside.unlink(missing_ok=True)
        data = path.read_bytes()
    except OSError as err:
        raise ServerKeyError(f"cannot read or create {path}: {err.strerror}") from None
    if len(data) < 32:
        raise ServerKeyError(f"{path} holds fewer than 32 bytes; delete it to make a new one")
    return data


def secret(settings) -> bytes:
    """The service's secret (cached per data directory)."""
    configured = os.environ.get(ENV, "")
    if configured:
        return hashlib.sha256(configured.encode("utf-8")).digest()
    path = Path(settings.data_dir) / FILE_NAME
    key = str(path)
    with _lock:
        if key not in _cache:
            _cache[key] = _from_file(path)
        return _cache[key]


def key_for(settings, purpose: str) -> bytes:
    """A key for one use only, so one key never signs two kinds of thing."""
    return hmac.new(secret(settings), purpose.encode("utf-8"), hashlib.sha256).digest()
