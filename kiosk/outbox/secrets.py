"""Encryption at rest for the personal part of outbox jobs (AES-256-GCM).

Each sealed value is ``nonce (12 bytes) || ciphertext+tag`` and is bound to the job it belongs to
(associated data), so a sealed value copied to another row does not open. The key is 32 random bytes
kept base64-encoded in a key file: the one named in config, or ``outbox.key`` in the kiosk's data dir,
created on first use with mode 0600. A key file others can read is refused.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class SecretError(Exception):
    """The outbox key is missing, unreadable or wrong; the message is for the operator."""


def load_or_create_key(path: Path, *, create: bool = True) -> bytes:
    """Read the key at ``path``; create it (0600) when absent and ``create`` is true."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise SecretError(f"outbox key file {path} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return load_or_create_key(path, create=False)  # another process made it just now
        except OSError as err:
            raise SecretError(f"cannot create outbox key file {path}: {err.strerror}") from None
        with os.fdopen(fd, "wb") as fh:
            fh.write(base64.urlsafe_b64encode(key) + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        return key
    try:
        mode = path.stat().st_mode
        raw = path.read_bytes().strip()
    except OSError as err:
        raise SecretError(f"cannot read outbox key file {path}: {err.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretError(f"outbox key file {path} is readable by other users; run: chmod 600 {path}")
    try:
        key = base64.urlsafe_b64decode(raw)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise SecretError(f"outbox key file {path} does not hold a 32-byte base64 key")
    return key


class SecretBox:
    """Seals and opens bytes with one AES-GCM key."""

    def __init__(self, key: bytes):
        if len(key) != 32:
            raise SecretError("outbox key must be 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_file(cls, path: Path, *, create: bool = True) -> SecretBox:
        return cls(load_or_create_key(path, create=create))

    def seal(self, data: bytes, context: str) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data, context.encode("utf-8"))

    def open(self, sealed: bytes, context: str) -> bytes:
        if len(sealed) < NONCE_BYTES + 16:
            raise SecretError("sealed outbox data is truncated")
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context.encode("utf-8"))
        except InvalidTag:
            raise SecretError("sealed outbox data does not open with this key (key changed or data damaged)") from None
