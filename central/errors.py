"""Every refusal the service gives, as ``{"error": CODE, "message": TEXT}`` with a 4xx (or 503) status.

Messages are English ids marked with ``N_``; the answer is in Vietnamese when the request's
``Accept-Language`` prefers it. Extra keys (``received``, ``fields``...) travel next to the message.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from central.storage import StorageError
from kiosk.i18n import N_, translate

log = logging.getLogger(__name__)

MESSAGES: dict[str, str] = {
    "unauthorized": N_("A valid access token is required."),
    "kiosk_only": N_("Only a kiosk may do this."),
    "staff_only": N_("Only counter staff may do this."),
    "idempotency_key_required": N_("Every write needs an Idempotency-Key header."),
    "idempotency_key_invalid": N_(
        "The Idempotency-Key header must be 8 to 128 letters, digits, dashes or underscores."),
    "idempotency_key_reused": N_("This Idempotency-Key was already used for a different request."),
    "invalid_body": N_("The request is not valid: {details}"),
    "invalid_json": N_("The request body is not valid JSON."),
    "body_too_large": N_("The request body is larger than the {limit} bytes allowed."),
    "not_found": N_("Nothing was found at this address."),
    "method_not_allowed": N_("This address does not accept that method."),
    "unknown_service": N_("There is no service {code} at this center."),
    "ticket_not_found": N_("There is no such ticket."),
    "invalid_ticket_state": N_("The ticket is {status}; this cannot be done now."),
    "offline_number_taken": N_("The offline number {number} is already recorded for another ticket."),
    "queue_empty": N_("No one is waiting for the services of this counter."),
    "unknown_counter": N_("There is no counter {counter} at this center."),
    "procedure_not_found": N_("There is no procedure {code}."),
    "dossier_not_found": N_("There is no dossier with this code."),
    "owner_mismatch": N_("The ID number does not match the owner of this dossier."),
    "already_handed_over": N_("The result of this dossier has already been handed over."),
    "not_ready": N_("The result of this dossier is not ready yet."),
    "invalid_transition": N_("A dossier cannot go from {current} to {target}."),
    "kiosk_reference_taken": N_("The kiosk reference {reference} already belongs to another dossier."),
    "unknown_kiosk": N_("There is no kiosk {kiosk} at this center."),
    "wrong_kiosk": N_("The result is waiting in the locker of kiosk {kiosk}. Please collect it there."),
    "rate_limited": N_("Too many lookups. Please wait {seconds} seconds."),
    "upload_not_found": N_("There is no such upload."),
    "offset_mismatch": N_("The chunk must start at byte {received}."),
    "bad_content_range": N_("The Content-Range header must read 'bytes START-END/TOTAL' and match the chunk."),
    "document_too_large": N_("Documents may be at most {limit} bytes."),
    "unsupported_content_type": N_("Only PDF documents are accepted."),
    "upload_incomplete": N_("The upload has {received} of {size} bytes; send the rest first."),
    "checksum_mismatch": N_("The document does not match its SHA-256 checksum; upload it again."),
    "not_a_pdf": N_("The document is not a readable PDF file."),
    "unknown_document": N_("There is no document {document_id}."),
    "document_in_use": N_("Document {document_id} is already attached to a dossier."),
    "unknown_checklist_item": N_("Procedure {procedure} has no document called {item}."),
    "alert_not_found": N_("There is no such alert."),
    "storage_unavailable": N_("The central service cannot store or read documents right now; try again shortly."),
    "request_conflict": N_("Another request changed the same data at the same moment; try again."),
    "database_unavailable": N_("The central service cannot reach its database; try again shortly."),
    "internal_error": N_("The central service failed to handle this request."),
}


class ApiError(Exception):
    """A refusal: ``status``, a ``code`` from ``MESSAGES``, values for its message and extra keys."""

    def __init__(self, status: int, code: str, /, *, headers: dict | None = None, extra: dict | None = None,
                 **values):
        super().__init__(code)
        self.status = status
        self.code = code
        self.values = values
        self.headers = headers or {}
        self.extra = extra or {}


def request_language(request: Request) -> str:
    header = request.headers.get("accept-language", "")
    first = header.split(",")[0].strip().lower()
    return "vi" if first.startswith("vi") else "en"


def error_body(code: str, language: str, values: dict | None = None) -> dict:
    template = MESSAGES.get(code, MESSAGES["internal_error"])
    try:
        message = translate(template, language, **(values or {}))
    except (KeyError, IndexError):
        message = translate(template, language)
    return {"error": code, "message": message}


def error_response(request: Request, status: int, code: str, /, *, headers=None, extra=None, **values) -> JSONResponse:
    body = error_body(code, request_language(request), values)
    body.update(extra or {})
    return JSONResponse(body, status_code=status, headers=headers)


def _describe(errors) -> tuple[str, list[dict]]:
    fields = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ()))
        fields.append({"field": location, "problem": error.get("msg", "invalid")})
    details = "; ".join(f"{f['field']}: {f['problem']}" for f in fields[:5])
    return details, fields


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, err: ApiError):
        return error_response(request, err.status, err.code, headers=err.headers, extra=err.extra, **err.values)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, err: RequestValidationError):
        errors = err.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(request, 400, "invalid_json")
        details, fields = _describe(errors)
        return error_response(request, 422, "invalid_body", details=details, extra={"fields": fields})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, err: StarletteHTTPException):
        codes = {404: "not_found", 405: "method_not_allowed", 400: "invalid_json", 401: "unauthorized"}
        return error_response(request, err.status_code, codes.get(err.status_code, "invalid_body"),
                              details=str(err.detail))

    @app.exception_handler(OperationalError)
    async def _db_down(request: Request, err: OperationalError):
        log.error("database error: %s", type(err.orig).__name__ if err.orig else type(err).__name__)
        return error_response(request, 503, "database_unavailable", headers={"Retry-After": "5"})

    @app.exception_handler(StorageError)
    async def _storage(request: Request, err: StorageError):
        log.error("document store: %s", err)
        return error_response(request, 503, "storage_unavailable", headers={"Retry-After": "30"})

    @app.exception_handler(IntegrityError)
    async def _conflict(request: Request, err: IntegrityError):
        log.warning("conflicting write refused by the database")
        return error_response(request, 409, "request_conflict", headers={"Retry-After": "1"})

    @app.exception_handler(DataError)
    async def _bad_value(request: Request, err: DataError):
        log.warning("database refused a value")
        return error_response(request, 422, "invalid_body", details="a value is out of range")

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, err: DBAPIError):
        log.error("database refused a statement: %s", type(err.orig).__name__ if err.orig else type(err).__name__)
        return error_response(request, 503, "database_unavailable", headers={"Retry-After": "5"})
