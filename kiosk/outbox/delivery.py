"""How each kind of outbox job is delivered, and the helpers that queue them.

=================  =====================================================  ====================================
kind               payload (never personal) / sealed part                 delivered as
=================  =====================================================  ====================================
``ticket``         ``body`` (service, priority, offline number, time)     ``POST /tickets`` with the job key
``ticket_void``    ``issue_key``, ``body`` or ``reference``, ``reason``    ``POST /tickets/{ref}/void``
                   ``issue_key``, ``reason``, ``by_key``                  ``POST /tickets/void-by-key``
``ticket_reprint`` ``issue_key``, ``body`` or ``reference``                ``POST /tickets/{ref}/reprint``
``dossier``        sealed: ``body`` (owner, form…) and ``documents``;     resumable uploads, then
                   the scans as sealed files                              ``POST /dossiers``
``rating``         ``body``                                               ``POST /ratings``
``heartbeat``      ``body``                                               ``POST /heartbeats``
``alert``          ``body``                                               ``POST /alerts``
=================  =====================================================  ====================================

A void or reprint for a ticket whose central reference the kiosk does not know yet (issued offline,
or an issue request that timed out) first repeats the ticket's own ``POST /tickets`` with its original
key and body: the service answers with the ticket it recorded (or records it now), and so its reference.
A void ``by_key`` is for an issue request whose answer was lost: repeating that request would draw a
number if the first never arrived, so the service is asked to void whatever was drawn under the key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.api.client import CentralClient
from kiosk.outbox.policy import JobError
from kiosk.outbox.store import Job, Outbox
from kiosk.outbox.uploads import DEFAULT_CHUNK_BYTES, upload_document


@dataclass
class Delivery:
    """What a handler may use to deliver one job."""

    client: CentralClient
    outbox: Outbox
    chunk_bytes: int = DEFAULT_CHUNK_BYTES


Handler = Callable[[Delivery, Job], Any]


def _body(job: Job) -> dict:
    body = job.payload.get("body")
    if not isinstance(body, dict):
        raise JobError(f"{job.kind} job {job.id} has no body")
    return body


def deliver_ticket(d: Delivery, job: Job) -> dict:
    return d.client.issue_ticket(_body(job), job.key)


def _ticket_reference(d: Delivery, job: Job) -> str:
    reference = job.payload.get("reference") or job.progress.get("reference")
    if reference:
        return reference
    issue_key = job.payload.get("issue_key")
    if not issue_key:
        raise JobError(f"{job.kind} job {job.id} names no ticket")
    ticket = d.client.issue_ticket(_body(job), issue_key)
    reference = ticket.get("reference")
    if not reference:
        raise JobError(f"{job.kind} job {job.id}: the service sent the ticket without a reference")
    d.outbox.save_progress(job, {**job.progress, "reference": reference})
    return reference


def deliver_ticket_void(d: Delivery, job: Job) -> dict:
    if job.payload.get("by_key"):
        issue_key = job.payload.get("issue_key")
        if not issue_key:
            raise JobError(f"ticket_void job {job.id} names no ticket")
        body = {"key": issue_key, "reason": job.payload.get("reason", "kiosk_restarted")}
        answer = d.client.request("POST", "/api/v1/tickets/void-by-key", json=body, idempotency_key=job.key)
        if not isinstance(answer, dict) or "drawn" not in answer:
            raise JobError(f"ticket_void job {job.id}: the service's answer names no outcome")
        return answer
    return d.client.void_ticket(_ticket_reference(d, job), job.payload.get("reason", "print_failed"), job.key)


def deliver_ticket_reprint(d: Delivery, job: Job) -> dict:
    return d.client.reprint_ticket(_ticket_reference(d, job), job.key)


def deliver_dossier(d: Delivery, job: Job) -> dict:
    personal = d.outbox.personal(job)
    body, documents = personal.get("body"), personal.get("documents", [])
    if not isinstance(body, dict) or not isinstance(documents, list):
        raise JobError(f"dossier job {job.id} is damaged")
    if sum(1 for doc in documents if not doc.get("document_id")) != job.file_count:
        raise JobError(f"dossier job {job.id}: its documents and attached files do not match")
    progress = job.progress
    states = progress.setdefault("documents", [{} for _ in documents])
    attached = []
    file_index = 0
    for slot, meta in enumerate(documents):
        document_id = meta.get("document_id")
        if not document_id:
            data = d.outbox.file(job, file_index)
            file_index += 1
            document_id = upload_document(
                d.client, job.key, f"doc{slot}", data, meta, states[slot],
                save=lambda: d.outbox.save_progress(job, progress), chunk_bytes=d.chunk_bytes,
            )
        attached.append({"document_id": document_id, "checklist_item": meta.get("checklist_item")})
    return d.client.submit_dossier({**body, "documents": attached}, job.key)


def deliver_rating(d: Delivery, job: Job) -> Any:
    return d.client.rate(_body(job), job.key)


def deliver_heartbeat(d: Delivery, job: Job) -> Any:
    return d.client.heartbeat(_body(job), job.key)


def deliver_alert(d: Delivery, job: Job) -> Any:
    return d.client.alert(_body(job), job.key)


HANDLERS: dict[str, Handler] = {
    "ticket": deliver_ticket,
    "ticket_void": deliver_ticket_void,
    "ticket_reprint": deliver_ticket_reprint,
    "dossier": deliver_dossier,
    "rating": deliver_rating,
    "heartbeat": deliver_heartbeat,
    "alert": deliver_alert,
}


# --- queuing helpers ------------------------------------------------------------------------------


def queue_dossier(outbox: Outbox, body: dict, documents: list[dict], key: str | None = None) -> Job:
    """Queue a dossier with its documents; all of it is sealed at rest.

    ``body`` is the ``POST /dossiers`` body without ``documents``. Each document is
    ``{"checklist_item", "filename", "content_type", "data": bytes}`` or, when already uploaded,
    ``{"checklist_item", "document_id"}``.
    """
    metas, files = [], []
    for doc in documents:
        meta = {k: v for k, v in doc.items() if k != "data"}
        if not meta.get("document_id"):
            data = doc.get("data")
            if not isinstance(data, (bytes, bytearray)) or not data:
                raise ValueError("a document to upload needs its bytes in 'data'")
            files.append(bytes(data))
        metas.append(meta)
    personal = {"body": {k: v for k, v in body.items() if k != "documents"}, "documents": metas}
    return outbox.enqueue("dossier", {"procedure": body.get("procedure")}, personal=personal, files=files, key=key)


def queue_rating(outbox: Outbox, score: int, reasons: list[str] | None = None, service: str | None = None,
                 counter: str | None = None, key: str | None = None) -> Job:
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 4:
        raise ValueError(f"a rating is a score from 1 to 4, got {score!r}")
    body = {"score": score, "reasons": list(reasons or []), "service": service, "counter": counter}
    return outbox.enqueue("rating", {"body": body}, key=key)


def queue_alert(outbox: Outbox, kind: str, screen: str, detail: str = "", key: str | None = None) -> Job:
    return outbox.enqueue("alert", {"body": {"kind": kind, "screen": screen, "detail": detail}}, key=key)


def queue_heartbeat(outbox: Outbox, kiosk: str, devices: dict[str, dict], key: str | None = None) -> Job:
    """Queue a heartbeat, replacing one not yet sent (only the latest state matters)."""
    counts = outbox.counts()
    body = {
        "kiosk": kiosk,
        "devices": devices,
        "outbox": {"waiting": counts.waiting, "failed": counts.failed},
    }
    return outbox.enqueue("heartbeat", {"body": body}, key=key, coalesce=True)
