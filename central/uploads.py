"""Resumable document uploads: announce, send chunks in order, complete.

A chunk must start exactly where the server's copy ends (``received``); anything else is 409
``offset_mismatch`` carrying the current ``received`` so the kiosk resumes from there. Completing
verifies the size, the SHA-256 the kiosk announced, and that the bytes are a readable PDF; a
document that fails is discarded and the upload starts again from zero.
"""

from __future__ import annotations

import hashlib
import re
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.errors import ApiError
from central.models import Document, Upload

CONTENT_RANGE = re.compile(r"^bytes (\d{1,12})-(\d{1,12})/(\d{1,12})$")
PDF_TYPES = ("application/pdf",)


def create(central, session: Session, principal, filename: str, content_type: str, size: int, sha256: str) -> dict:
    if content_type not in PDF_TYPES:
        raise ApiError(415, "unsupported_content_type")
    limit = central.settings.max_document_bytes
    if size > limit:
        raise ApiError(413, "document_too_large", limit=limit)
    upload = Upload(id=str(uuid.uuid4()), kiosk_id=principal.id, filename=filename, content_type=content_type,
                    size=size, sha256=sha256.lower(), received=0, created_at=central.settings.now())
    session.add(upload)
    return {"upload_id": upload.id, "received": 0, "size": size, "chunk_limit": central.settings.max_chunk_bytes}


def _find(session: Session, principal, upload_id: str, lock: bool = False) -> Upload:
    try:
        uuid.UUID(upload_id)
    except ValueError:
        raise ApiError(404, "upload_not_found") from None
    stmt = select(Upload).where(Upload.id == upload_id, Upload.kiosk_id == principal.id)
    if lock:
        stmt = stmt.with_for_update()
    upload = session.scalars(stmt).first()
    if upload is None:
        raise ApiError(404, "upload_not_found")
    return upload


def state(session: Session, principal, upload_id: str) -> dict:
    upload = _find(session, principal, upload_id)
    return {"upload_id": upload.id, "received": upload.received, "size": upload.size,
            "complete": upload.document_id is not None, "document_id": upload.document_id}


def parse_range(header: str | None, chunk_length: int) -> tuple[int, int, int]:
    match = CONTENT_RANGE.match((header or "").strip())
    if not match:
        raise ApiError(400, "bad_content_range")
    start, end, total = (int(g) for g in match.groups())
    if end < start or end >= total or end - start + 1 != chunk_length:
        raise ApiError(400, "bad_content_range")
    return start, end, total


def put_chunk(central, session: Session, principal, upload_id: str, content_range: str | None, data: bytes) -> dict:
    upload = _find(session, principal, upload_id, lock=True)
    start, end, total = parse_range(content_range, len(data))
    if total != upload.size:
        raise ApiError(400, "bad_content_range")
    if upload.document_id is not None or start != upload.received:
        raise ApiError(409, "offset_mismatch", received=upload.received, extra={"received": upload.received})
    central.store.write_part(upload.id, start, data)
    upload.received = end + 1
    return {"received": upload.received}


def verify(central, principal, upload_id: str) -> None:
    """Check a fully received upload before it becomes a document; resets it when it is bad."""
    with central.db.read() as session:
        upload = _find(session, principal, upload_id)
        if upload.document_id is not None:
            return
        if upload.received != upload.size:
            raise ApiError(409, "upload_incomplete", received=upload.received, size=upload.size,
                           extra={"received": upload.received})
        expected, size = upload.sha256, upload.size
    digest = hashlib.sha256()
    with central.store.open_part(upload_id) as fh:
        header = fh.read(1024)
        digest.update(header)
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
        problem = None
        if fh.tell() != size or digest.hexdigest() != expected:
            problem = "checksum_mismatch"
        elif not header.startswith(b"%PDF-") or not _readable_pdf(fh):
            problem = "not_a_pdf"
    if problem:
        with central.db.write() as session:
            upload = _find(session, principal, upload_id, lock=True)
            upload.received = 0
        central.store.discard_part(upload_id)
        raise ApiError(422, problem)


def _readable_pdf(fh) -> bool:
    import pikepdf

    fh.seek(0)
    try:
        with pikepdf.open(fh) as pdf:
            return len(pdf.pages) > 0
    except (pikepdf.PdfError, ValueError, OSError):
        return False


def complete(central, session: Session, principal, upload_id: str) -> dict:
    upload = _find(session, principal, upload_id, lock=True)
    if upload.document_id is None:
        if upload.received != upload.size:
            raise ApiError(409, "upload_incomplete", received=upload.received, size=upload.size,
                           extra={"received": upload.received})
        document = Document(id=str(uuid.uuid4()), sha256=upload.sha256, size=upload.size,
                            content_type=upload.content_type, filename=upload.filename, storage_key="",
                            kiosk_id=principal.id, created_at=central.settings.now())
        document.storage_key = document.id
        session.add(document)
        upload.document_id = document.id
        session.flush()
        central.store.promote(upload.id, document.storage_key)
    return {"document_id": upload.document_id, "sha256": upload.sha256, "size": upload.size}
