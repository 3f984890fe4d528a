"""Helpers for the security tests: every route of the central app, and clients with tokens.

``routes(app)`` walks the application's routes (also inside included routers, also those left out of
the OpenAPI document) and gives each as ``(method, path)``; ``sample_path`` fills path parameters with
values of the right shape, so a refusal is about credentials, not about a malformed URL.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import uuid

import httpx
import pikepdf

SAMPLES = {
    "reference": str(uuid.UUID(int=1)),
    "upload_id": str(uuid.UUID(int=2)),
    "document_id": str(uuid.UUID(int=3)),
    "code": "HT01-2611-000001",
    "counter": "1",
    "number": "1",
    "alert_id": "1",
    "center": "HT01",
    "language": "vi",
}


def routes(app) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        for context in contexts:
            methods = getattr(context, "methods", None)
            if methods is None:  # a mounted folder of static files
                found.append(("GET", context.path + "/{path}"))
                continue
            found += [(method, context.path) for method in sorted(methods) if method != "HEAD"]
    return sorted(set(found))


def sample_path(path: str) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1).split(":")[0]
        return SAMPLES.get(name, "x")

    return re.sub(r"\{([^}]+)\}", fill, path)


def call(client: httpx.Client, method: str, path: str, token: str | None) -> httpx.Response:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = None if method == "GET" else b"{}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    return client.request(method, sample_path(path), headers=headers, content=body)


def make_pdf(padding: int = 20_000) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.Root["/KioskFiller"] = pdf.make_stream(os.urandom(padding))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


class Kiosk:
    """A kiosk's HTTP side: a bearer token and a fresh Idempotency-Key on every write."""

    def __init__(self, url: str, token: str):
        self.http = httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {token}"})

    def post(self, path: str, body=None, **headers):
        return self.http.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4()), **headers})

    def get(self, path: str):
        return self.http.get(path)

    def upload(self, data: bytes) -> str:
        started = self.post("/api/v1/uploads", {"filename": "scan.pdf", "content_type": "application/pdf",
                                                "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        assert started.status_code == 201, started.text
        upload_id = started.json()["upload_id"]
        sent = self.http.put(f"/api/v1/uploads/{upload_id}", content=data,
                             headers={"Idempotency-Key": str(uuid.uuid4()),
                                      "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}",
                                      "Content-Type": "application/octet-stream"})
        assert sent.status_code == 200, sent.text
        done = self.post(f"/api/v1/uploads/{upload_id}/complete")
        assert done.status_code == 201, done.text
        return done.json()["document_id"]

    def close(self) -> None:
        self.http.close()
