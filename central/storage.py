"""Where uploaded documents live, behind one small interface.

An upload is written as a *part* (appended chunk by chunk at the offset the client claims) and, once
its checksum and PDF structure are verified, *promoted* to a document under a storage key. Two stores
implement it: ``DiskStore`` here (the default, in the data directory) and ``central.s3store.S3Store``
for any S3-compatible bucket (``kiosk central serve --storage s3://…``).
"""

from __future__ import annotations

import os
import re
import shutil
from abc import ABC, abstractmethod
from pathlib import Path
from typing import BinaryIO

SAFE_ID = re.compile(r"^[0-9a-f-]{36}$")


class StorageError(Exception):
    """The store could not read or write; the message names the upload or key, never the content."""


class DocumentStore(ABC):
    @abstractmethod
    def write_part(self, upload_id: str, offset: int, data: bytes) -> int:
        """Write ``data`` at ``offset``, dropping anything after it; returns the part's new size."""

    @abstractmethod
    def part_size(self, upload_id: str) -> int: ...

    @abstractmethod
    def open_part(self, upload_id: str) -> BinaryIO: ...

    @abstractmethod
    def discard_part(self, upload_id: str) -> None: ...

    @abstractmethod
    def promote(self, upload_id: str, key: str) -> None:
        """Make the finished part readable as document ``key``; the part stays until discarded."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO: ...


def _checked(name: str) -> str:
    if not SAFE_ID.match(name):
        raise StorageError(f"invalid storage name {name!r}")
    return name


class DiskStore(DocumentStore):
    """Parts in ``ROOT/parts``, documents in ``ROOT/documents/<first two characters>/KEY.pdf``."""

    def __init__(self, root: Path):
        self.root = Path(root)
        (self.root / "parts").mkdir(parents=True, exist_ok=True)
        (self.root / "documents").mkdir(parents=True, exist_ok=True)

    def _part(self, upload_id: str) -> Path:
        return self.root / "parts" / f"{_checked(upload_id)}.part"

    def _document(self, key: str) -> Path:
        key = _checked(key)
        return self.root / "documents" / key[:2] / f"{key}.pdf"

    def write_part(self, upload_id: str, offset: int, data: bytes) -> int:
        path = self._part(upload_id)
        try:
            with open(path, "r+b" if path.exists() else "w+b") as fh:
                fh.truncate(offset)
                fh.seek(offset)
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
                return fh.tell()
        except OSError as err:
            raise StorageError(f"cannot write upload {upload_id}: {err.strerror}") from None

    def part_size(self, upload_id: str) -> int:
        path = self._part(upload_id)
        return path.stat().st_size if path.exists() else 0

    def open_part(self, upload_id: str) -> BinaryIO:
        try:
            return open(self._part(upload_id), "rb")
        except OSError as err:
            raise StorageError(f"cannot read upload {upload_id}: {err.strerror}") from None

    def discard_part(self, upload_id: str) -> None:
        self._part(upload_id).unlink(missing_ok=True)

    def promote(self, upload_id: str, key: str) -> None:
        source, target = self._part(upload_id), self._document(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".tmp")
        try:
            temporary.unlink(missing_ok=True)
            try:
                os.link(source, temporary)
            except OSError:  # a file system without hard links: copy, then make the copy durable
                shutil.copyfile(source, temporary)
                with open(temporary, "rb+") as fh:
                    os.fsync(fh.fileno())
            os.replace(temporary, target)
            directory = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except OSError as err:
            raise StorageError(f"cannot store document {key}: {err.strerror}") from None

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._document(key), "rb")
        except OSError as err:
            raise StorageError(f"cannot read document {key}: {err.strerror}") from None
