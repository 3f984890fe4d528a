"""Resumable PDF uploads: announce, PUT chunks with Content-Range, complete."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from central import auth, uploads
from central.context import Central, get_central
from central.idempotency import Write, kiosk_write, run_once
from central.schemas import ERRORS, ChunkOut, DocumentOut, UploadIn, UploadOut

router = APIRouter(tags=["uploads"])


@router.post("/uploads", status_code=201, response_model=UploadOut, responses=ERRORS)
def start_upload(body: UploadIn, write: Write = Depends(kiosk_write), central: Central = Depends(get_central)):
    """Announce a document: its name, type (application/pdf), size in bytes and SHA-256."""
    return run_once(central, write, lambda session: uploads.create(
        central, session, write.principal, body.filename, body.content_type, body.size, body.sha256))


@router.get("/uploads/{upload_id}", response_model=UploadOut, responses=ERRORS)
def upload_state(upload_id: str, principal: auth.Principal = Depends(auth.kiosk),
                 central: Central = Depends(get_central)):
    """How many bytes the service holds, so an interrupted upload resumes from there."""
    with central.db.read() as session:
        return uploads.state(session, principal, upload_id)


@router.put(
    "/uploads/{upload_id}", response_model=ChunkOut, responses=ERRORS,
    openapi_extra={"requestBody": {"required": True, "content": {"application/octet-stream": {
        "schema": {"type": "string", "format": "binary"}}}}},
)
async def put_chunk(upload_id: str, request: Request, write: Write = Depends(kiosk_write),
                    central: Central = Depends(get_central)):
    """Send the chunk starting at ``received``; header ``Content-Range: bytes START-END/TOTAL``."""
    data = await request.body()
    content_range = request.headers.get("content-range")
    return await run_in_threadpool(run_once, central, write, lambda session: uploads.put_chunk(
        central, session, write.principal, upload_id, content_range, data), 200)


@router.post("/uploads/{upload_id}/complete", status_code=201, response_model=DocumentOut, responses=ERRORS)
def complete_upload(upload_id: str, write: Write = Depends(kiosk_write), central: Central = Depends(get_central)):
    """Verify size, checksum and PDF structure, and turn the upload into a document."""
    uploads.verify(central, write.principal, upload_id)
    response = run_once(central, write, lambda session: uploads.complete(
        central, session, write.principal, upload_id))
    central.store.discard_part(upload_id)
    return response
