"""Resumable document upload: send a file in chunks, continuing from what the service already holds.

Progress (upload id, bytes the service confirmed, the finished document id) is saved with the job after
every chunk, so after a crash or a lost link the upload goes on from the service's ``received`` instead
of starting over. Every write has an idempotency key derived from the job's key and the exact step, so
a repeated step is recognised as such by the service.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from kiosk.api.client import CentralClient
from kiosk.api.errors import BadAnswer, Conflict, NotFound
from kiosk.outbox.policy import JobError

DEFAULT_CHUNK_BYTES = 256 * 1024
#: Namespace of the step keys derived from a job's idempotency key.
STEP_KEYS = uuid.UUID("6f0c5c5e-4b0a-4d59-9a55-3b1f0d2f7a11")


def step_key(job_key: str, step: str) -> str:
    """A stable idempotency key (a UUID) for one step of a job."""
    return str(uuid.uuid5(STEP_KEYS, f"{job_key}/{step}"))


def upload_document(
    client: CentralClient,
    job_key: str,
    slot: str,
    data: bytes,
    meta: dict[str, Any],
    state: dict[str, Any],
    save: Callable[[], None],
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
) -> str:
    """Upload ``data`` and return its ``document_id``; ``state`` is this document's saved progress.

    ``save()`` persists ``state`` (it is part of the job's progress). ``slot`` names the document
    within the job; ``meta`` holds ``filename`` and ``content_type``.
    """
    if state.get("document_id"):
        return state["document_id"]
    size = len(data)
    digest = hashlib.sha256(data).hexdigest()
    for _restart in range(3):
        generation = int(state.get("generation", 0))
        upload_id = state.get("upload_id")
        if upload_id is None:
            answer = client.start_upload(
                meta.get("filename") or f"{slot}.pdf", size, digest,
                key=step_key(job_key, f"{slot}/g{generation}/start"),
                content_type=meta.get("content_type") or "application/pdf",
            )
            upload_id = str(answer["upload_id"])
            state.update(upload_id=upload_id, received=int(answer.get("received") or 0))
            limit = answer.get("chunk_limit")
            if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
                state["chunk_limit"] = limit
            save()
        try:
            received = client.upload_status(upload_id)
        except NotFound:
            # The service no longer knows this upload (expired or cleaned up): start a new one.
            state.clear()
            state["generation"] = generation + 1
            save()
            continue
        chunk = min(chunk_bytes, int(state.get("chunk_limit") or chunk_bytes))
        received = _send_chunks(client, job_key, slot, upload_id, data, received, state, save, chunk)
        answer = client.complete_upload(upload_id, key=step_key(job_key, f"{slot}/{upload_id}/complete"))
        if answer.get("sha256") not in (None, digest) or answer.get("size") not in (None, size):
            raise JobError(f"document {slot}: the service stored a different file than the kiosk sent")
        state["document_id"] = str(answer["document_id"])
        save()
        return state["document_id"]
    raise JobError(f"document {slot}: the service kept forgetting the upload")


def _send_chunks(client, job_key, slot, upload_id, data, received, state, save, chunk_bytes) -> int:
    size = len(data)
    stalls = 0
    while received < size:
        if received < 0 or received > size:
            raise BadAnswer(f"upload {slot}: the service reports {received} of {size} bytes")
        chunk = data[received : received + chunk_bytes]
        key = step_key(job_key, f"{slot}/{upload_id}/{received}+{len(chunk)}")
        try:
            now_held = client.put_chunk(upload_id, received, chunk, size, key=key)
        except Conflict as err:
            held = err.body.get("received")
            now_held = held if isinstance(held, int) and not isinstance(held, bool) else client.upload_status(upload_id)
        stalls = stalls + 1 if now_held <= received else 0
        if stalls >= 3:
            raise BadAnswer(f"upload {slot}: the service does not take the chunk at byte {received}")
        received = now_held
        state["received"] = received
        save()
    return received
