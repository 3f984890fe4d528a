"""A visit's files: sealed with a key that lives only in memory, shredded when the visit ends.

Each visit gets a folder ``<data_dir>/visits/<random id>/`` (mode 0700). What the kiosk keeps there
(page images, a PDF, a thumbnail) is written sealed with AES-256-GCM under a per-visit key that is
never written anywhere: once the visit ends, or the process dies, whatever is left on disk cannot be
read. At the end every file is overwritten with zeros, flushed and unlinked.

Overwriting is best effort. On SSDs, SD cards and eMMC the flash controller writes the new bytes
elsewhere and the old blocks stay until they are erased, and journalling file systems may keep copies;
overwriting guarantees nothing there. The protection that holds is the encryption plus deletion: the
key is only in memory. Tools that need a plain file (Tesseract, a PDF writer) get one with
``scratch()`` in the same folder; such files are only overwritten and deleted, so keep them short-lived.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
SEALED_SUFFIX = ".sealed"
SCRATCH_DIR = "scratch"
CHUNK = 1 << 20
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class VisitFileError(Exception):
    """A visit file cannot be written or read; the message is for the operator, without personal data."""


def shred(path: Path) -> bool:
    """Overwrite ``path`` with zeros, flush it and unlink it. False when it could only be unlinked."""
    overwritten = False
    try:
        size = path.stat().st_size
        with open(path, "r+b", buffering=0) as fh:
            left = size
            zeros = bytes(min(CHUNK, size))
            while left > 0:
                step = min(left, CHUNK)
                fh.write(zeros[:step])
                left -= step
            os.fsync(fh.fileno())
        overwritten = True
    except OSError:
        pass
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    return overwritten


def shred_tree(folder: Path) -> int:
    """Shred every file under ``folder`` and remove it; returns how many files were shredded."""
    count = 0
    if not folder.exists():
        return 0
    for root, _dirs, files in os.walk(folder, topdown=False):
        for name in files:
            path = Path(root) / name
            if path.is_symlink():
                path.unlink()
                continue
            shred(path)
            count += 1
    shutil.rmtree(folder, ignore_errors=True)
    return count


class VisitFiles:
    """Sealed files in one visit's folder. Names are plain file names such as ``page-01.png``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._aead: AESGCM | None = AESGCM(secrets.token_bytes(32))
        self.folder.mkdir(mode=0o700, parents=False, exist_ok=False)
        self.folder.chmod(0o700)

    @property
    def open(self) -> bool:
        return self._aead is not None

    def _path(self, name: str) -> Path:
        if not NAME.fullmatch(name) or name.endswith(SEALED_SUFFIX):
            raise ValueError(f"not a plain file name for a visit file: {name!r}")
        return self.folder / f"{name}{SEALED_SUFFIX}"

    def _cipher(self) -> AESGCM:
        if self._aead is None:
            raise VisitFileError("the visit has ended; its files are gone")
        return self._aead

    def write(self, name: str, data: bytes) -> Path:
        """Seal ``data`` into the file ``name`` (replacing it); returns the sealed file's path."""
        path = self._path(name)
        with self._lock:
            nonce = secrets.token_bytes(NONCE_BYTES)
            sealed = nonce + self._cipher().encrypt(nonce, bytes(data), name.encode("utf-8"))
            tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(sealed)
                if path.exists():
                    shred(path)
                os.replace(tmp, path)
            except OSError as err:
                if tmp.exists():
                    shred(tmp)
                raise VisitFileError(f"cannot write a visit file in {self.folder}: {err.strerror}") from None
        return path

    def read(self, name: str) -> bytes:
        path = self._path(name)
        with self._lock:
            aead = self._cipher()
            try:
                sealed = path.read_bytes()
            except FileNotFoundError:
                raise KeyError(name) from None
            except OSError as err:
                raise VisitFileError(f"cannot read a visit file in {self.folder}: {err.strerror}") from None
            try:
                return aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], name.encode("utf-8"))
            except (InvalidTag, ValueError):
                raise VisitFileError(f"a visit file in {self.folder} is damaged") from None

    def write_image(self, name: str, image, format: str = "PNG") -> Path:
        """Seal a Pillow image, encoded as ``format``."""
        import io

        buffer = io.BytesIO()
        image.save(buffer, format=format)
        return self.write(name, buffer.getvalue())

    def read_image(self, name: str):
        import io

        from PIL import Image

        image = Image.open(io.BytesIO(self.read(name)))
        image.load()
        return image

    def delete(self, name: str) -> None:
        with self._lock:
            shred(self._path(name))

    def names(self) -> list[str]:
        if not self.folder.exists():
            return []
        return sorted(p.name[: -len(SEALED_SUFFIX)] for p in self.folder.glob(f"*{SEALED_SUFFIX}"))

    def scratch(self, name: str) -> Path:
        """A path for a plain (unsealed) working file, shredded at the end of the visit at the latest."""
        if not NAME.fullmatch(name):
            raise ValueError(f"not a plain file name for a scratch file: {name!r}")
        self._cipher()
        folder = self.folder / SCRATCH_DIR
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder / name

    def wipe(self) -> int:
        """Forget the key and shred the folder; returns how many files were shredded."""
        with self._lock:
            self._aead = None
            return shred_tree(self.folder)
