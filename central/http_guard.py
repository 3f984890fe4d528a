"""Request size limits, and the body's SHA-256 for the idempotency check.

Write requests (POST, PUT, PATCH, DELETE) are read whole before the application sees them: a body
over the limit is refused with 413 ``body_too_large`` as soon as its declared or received size passes
the limit, and the SHA-256 of the accepted body is left in ``request.state.body_sha256``. Upload
chunks (``PUT /api/v1/uploads/...``) have their own, larger limit.
"""

from __future__ import annotations

import hashlib

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from central.errors import error_body

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CHUNK_PREFIX = "/api/v1/uploads/"


def _language(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"accept-language":
            return "vi" if value.decode("latin-1").strip().lower().startswith("vi") else "en"
    return "en"


class BodyGuard:
    def __init__(self, app: ASGIApp, json_limit: int, chunk_limit: int):
        self.app = app
        self.json_limit = json_limit
        self.chunk_limit = chunk_limit

    def limit_for(self, scope: Scope) -> int:
        if scope["method"] == "PUT" and scope["path"].startswith(CHUNK_PREFIX):
            return self.chunk_limit
        return self.json_limit

    async def _refuse(self, scope, receive, send, status: int, code: str, **values) -> None:
        response = JSONResponse(error_body(code, _language(scope), values), status_code=status,
                                headers={"Connection": "close"})
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await self._refuse(scope, receive, send, 400, "invalid_body", details="bad Content-Length")
                    return
                if declared > limit:
                    await self._refuse(scope, receive, send, 413, "body_too_large", limit=limit)
                    return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await self._refuse(scope, receive, send, 413, "body_too_large", limit=limit)
                return
            if not message.get("more_body", False):
                break
        scope.setdefault("state", {})["body_sha256"] = hashlib.sha256(body).hexdigest()
        delivered = False

        async def replay() -> dict:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
