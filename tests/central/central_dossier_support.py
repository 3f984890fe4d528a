"""Helpers shared by the dossier reference, locker, calendar and migration tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid

import pikepdf

from central.settings import VIETNAM

OWNER = {"id_number": "001099054321", "full_name": "Trần Thị Mẫu", "date_of_birth": "1988-02-29",
         "sex": "Nữ", "address": "Xóm Giả Định, xã Hợp Thịnh"}
OTHER_ID = "001099067890"


def dossier_body(procedure: str = "HT-XNHN", reference: str | None = None, documents=(), owner=OWNER) -> dict:
    body = {"procedure": procedure, "owner": owner, "form": {"muc_dich": "Kết hôn"},
            "documents": list(documents), "submitted_at": dt.datetime.now(VIETNAM).isoformat()}
    if reference is not None:
        body["kiosk_reference"] = reference
    return body


def new_reference(prefix: str = "K1") -> str:
    return f"{prefix}-{dt.date.today():%y%m%d}-{uuid.uuid4().hex[:8].upper()}"


def small_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def upload_document(site, data: bytes) -> str:
    started = site.kiosk.post("/api/v1/uploads", {
        "filename": "to_khai.pdf", "content_type": "application/pdf", "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest()})
    upload_id = started.json()["upload_id"]
    sent = site.kiosk.put(f"/api/v1/uploads/{upload_id}", data,
                          headers={"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}",
                                   "Content-Type": "application/octet-stream"})
    assert sent.status_code == 200, sent.text
    done = site.kiosk.post(f"/api/v1/uploads/{upload_id}/complete")
    assert done.status_code == 201, done.text
    return done.json()["document_id"]


def move(site, code: str, *steps, locker=None) -> dict:
    """Walk a dossier through staff status updates; the last one may carry a locker place."""
    answer = None
    for index, status in enumerate(steps):
        body = {"status": status, "message": ""}
        if locker is not None and index == len(steps) - 1:
            body["locker"] = locker
        answer = site.staff.post(f"/api/v1/staff/dossiers/{code}/status", body)
        assert answer.status_code == 200, answer.text
    return answer.json()
