"""The FastAPI application: ``create_app(settings)`` wires the routes, limits and error answers.

It does not migrate the database: ``kiosk central serve`` and ``central.embedded`` do that first.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy import delete
from starlette.concurrency import run_in_threadpool

from central import errors, idempotency, ratelimit
from central.context import Central, get_central
from central.http_guard import WRITE_METHODS, BodyGuard
from central.models import Heartbeat
from central.routes import calendar, catalog, dossiers, pages, queue, reports, staff, uploads
from central.settings import Settings

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
KEEP_IDEMPOTENCY_KEYS = dt.timedelta(days=30)
KEEP_HEARTBEATS = dt.timedelta(days=30)


def _housekeeping(central: Central) -> None:
    try:
        idempotency.purge(central, KEEP_IDEMPOTENCY_KEYS)
        ratelimit.purge(central, dt.timedelta(hours=1))
        cutoff = central.settings.now() - KEEP_HEARTBEATS
        with central.db.write() as session:
            session.execute(delete(Heartbeat).where(Heartbeat.received_at < cutoff))
    except Exception as err:  # a busy or unreachable database must not stop the service starting
        log.warning("housekeeping skipped: %s", type(err).__name__)


def _document_security(app: FastAPI) -> None:
    def openapi():
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schema.setdefault("components", {})["securitySchemes"] = {
            "kiosk": {"type": "http", "scheme": "bearer", "description": "token from `kiosk central add-kiosk`"},
            "staff": {"type": "http", "scheme": "bearer", "description": "token from `kiosk central add-staff`"},
        }
        key = {"name": "Idempotency-Key", "in": "header", "required": True, "schema": {"type": "string"},
               "description": "a UUID chosen by the caller; repeats return the first answer"}
        for path, operations in schema.get("paths", {}).items():
            if not path.startswith(API_PREFIX):
                continue
            for method, operation in operations.items():
                operation["security"] = [{"staff": []}] if path.startswith(f"{API_PREFIX}/staff") else [
                    {"kiosk": []}, {"staff": []}]
                if method.upper() in WRITE_METHODS:
                    operation.setdefault("parameters", []).append(dict(key))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi


def create_app(settings: Settings) -> FastAPI:
    central = Central.build(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        await run_in_threadpool(_housekeeping, central)
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        yield
        central.close()

    app = FastAPI(
        title="Một Cửa central dossier service",
        version="1.0",
        description="Queue tickets, procedure catalog, document uploads and dossiers for commune "
                    "Public Administration Service Centers. Errors are `{\"error\": CODE, \"message\": TEXT}`.",
        lifespan=lifespan,
    )
    app.state.central = central
    errors.install(app)
    app.add_middleware(BodyGuard, json_limit=settings.max_json_bytes, chunk_limit=settings.max_chunk_bytes)

    @app.get("/health", tags=["health"])
    def health(central: Central = Depends(get_central)):
        """200 when the database answers, 503 otherwise. Needs no token."""
        if central.db.ping():
            return {"status": "ok"}
        return JSONResponse({"status": "unavailable", "error": "database_unavailable"}, status_code=503,
                            headers={"Retry-After": "5"})

    # One level of routers only: FastAPI matches nested routers level by level, and issuing a ticket
    # (the first route of ``queue``) should not pay for walking the others.
    for module in (queue, catalog, calendar, uploads, dossiers, reports, staff):
        app.include_router(module.router, prefix=API_PREFIX)
    pages.install(app)  # counter page, lobby display, live board, sounds, staff sign-in
    _document_security(app)
    return app


def create_app_from_env() -> FastAPI:
    """For ``uvicorn --factory`` worker processes started by ``kiosk central serve --workers N``."""
    data_dir = Path(os.environ["MOTCUA_CENTRAL_DATA_DIR"])
    return create_app(Settings(data_dir=data_dir, db_url=os.environ.get("MOTCUA_CENTRAL_DB", ""),
                               storage=os.environ.get("MOTCUA_CENTRAL_STORAGE", "")))
