"""Writing a finished document: searchable PDF, UTF-8 text, page thumbnails, and their checksums.

Every file is written to a temporary name in its folder, flushed to disk and renamed into place,
so a reader never sees half a file. If any file of a document cannot be written (disk full, file
size limit, no permission), the ones already written for it are removed again and ``OutputFailed``
says why; the document's pages stay in memory, so the citizen can try again.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from kiosk.digitize.document import Document, PageState
from kiosk.digitize.errors import OutputFailed
from kiosk.digitize.pdf import PdfPage, build_pdf

THUMBNAIL_SIDE = 320


@dataclass
class SavedFile:
    path: Path
    sha256: str
    size: int


@dataclass
class SavedDocument:
    pdf: SavedFile | None = None
    text: SavedFile | None = None
    thumbnails: list[SavedFile] = field(default_factory=list)

    def files(self) -> list[SavedFile]:
        return [f for f in (self.pdf, self.text, *self.thumbnails) if f is not None]


def _reason(err: OSError) -> str:
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if err.errno == errno.EFBIG:
        return "the file is larger than this system allows"
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "no permission to write there"
    return err.strerror or str(err)


def write_atomic(path: Path, data: bytes) -> SavedFile:
    """Write ``data`` to ``path`` all at once or not at all."""
    path = Path(path)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.part"
    try:
        # os.open with 0o666 lets the umask decide the permissions, as for any other file.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as err:
        raise OutputFailed(f"cannot write {path.name}: {_reason(err)}") from err
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputFailed(f"cannot write {path.name}: {_reason(err)}") from err
    return SavedFile(path=path, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def thumbnail(image: Image.Image, side: int = THUMBNAIL_SIDE) -> bytes:
    small = image.copy()
    small.thumbnail((side, side), Image.LANCZOS)
    buf = io.BytesIO()
    small.convert("RGB" if small.mode not in ("L", "RGB") else small.mode).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def pdf_pages(document: Document) -> list[PdfPage]:
    pages = []
    for page in document.pages:
        if page.state == PageState.DONE and page.clean is not None:
            pages.append(PdfPage(page.clean.view, page.ocr, page.clean.ocr_scale))
        else:  # a page that could not be processed is still part of the document, as captured
            pages.append(PdfPage(page.capture, None))
    return pages


def save_document(
    document: Document,
    *,
    pdf: Path | None = None,
    text: Path | None = None,
    thumbnails_dir: Path | None = None,
) -> SavedDocument:
    """Write the outputs asked for; all of them or none."""
    saved = SavedDocument()
    try:
        folders = [Path(p).parent for p in (pdf, text) if p is not None]
        folders += [Path(thumbnails_dir)] if thumbnails_dir is not None else []
        for folder in folders:
            if not folder.is_dir():
                raise OutputFailed(f"cannot write into {folder.name or folder}: the folder does not exist")
        if pdf is not None:
            saved.pdf = write_atomic(Path(pdf), build_pdf(pdf_pages(document), title=document.title or "Hồ sơ số hóa"))
        if text is not None:
            saved.text = write_atomic(Path(text), document.text.encode("utf-8"))
        if thumbnails_dir is not None:
            for number, page in enumerate(document.pages, 1):
                image = page.clean.view if page.clean is not None else page.capture
                target = Path(thumbnails_dir) / f"page-{number:03d}.jpg"
                saved.thumbnails.append(write_atomic(target, thumbnail(image)))
    except OutputFailed:
        for done in saved.files():
            try:
                done.path.unlink()
            except OSError:
                pass
        raise
    return saved
