"""Documents and dossiers over HTTP: resumable uploads, submission, owner views, status and pickup."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re

import pikepdf
import pytest

from central.settings import VIETNAM

OWNER = {"id_number": "001099012345", "full_name": "Nguyễn Văn Thử", "date_of_birth": "1990-05-17",
         "sex": "Nam", "address": "Thôn Thử Nghiệm, xã Hợp Thịnh"}
CHUNK = 64 * 1024


def make_pdf(padding: int = 250_000) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.Root.Filler = pikepdf.Stream(pdf, os.urandom(padding))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def announce(site, data: bytes, **overrides):
    body = {"filename": "giay_chung_sinh.pdf", "content_type": "application/pdf", "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest()} | overrides
    return site.kiosk.post("/api/v1/uploads", body)


def send(site, upload_id: str, data: bytes, start: int, end: int):
    return site.kiosk.put(f"/api/v1/uploads/{upload_id}", data[start:end + 1],
                          headers={"Content-Range": f"bytes {start}-{end}/{len(data)}",
                                   "Content-Type": "application/octet-stream"})


def upload(site, data: bytes) -> str:
    upload_id = announce(site, data).json()["upload_id"]
    for start in range(0, len(data), CHUNK):
        assert send(site, upload_id, data, start, min(start + CHUNK, len(data)) - 1).status_code == 200
    done = site.kiosk.post(f"/api/v1/uploads/{upload_id}/complete")
    assert done.status_code == 201, done.text
    return done.json()["document_id"]


def submit(site, procedure="HT-KS", documents=(), owner=OWNER):
    return site.kiosk.post("/api/v1/dossiers", {
        "procedure": procedure, "owner": owner, "form": {"ten_tre": "Nguyễn Văn Bé"},
        "documents": list(documents), "submitted_at": dt.datetime.now(VIETNAM).isoformat()})


def test_resumable_upload_survives_a_lost_chunk(site):
    data = make_pdf()
    started = announce(site, data)
    assert started.status_code == 201 and started.json()["received"] == 0
    upload_id = started.json()["upload_id"]
    assert send(site, upload_id, data, 0, CHUNK - 1).json() == {"received": CHUNK}
    skipped = send(site, upload_id, data, 2 * CHUNK, 3 * CHUNK - 1)  # the kiosk thinks it sent chunk two
    assert skipped.status_code == 409 and skipped.json()["received"] == CHUNK
    early = site.kiosk.post(f"/api/v1/uploads/{upload_id}/complete")
    assert early.status_code == 409 and early.json()["error"] == "upload_incomplete"
    resume_from = site.kiosk.get(f"/api/v1/uploads/{upload_id}").json()["received"]
    for start in range(resume_from, len(data), CHUNK):
        assert send(site, upload_id, data, start, min(start + CHUNK, len(data)) - 1).status_code == 200
    done = site.kiosk.post(f"/api/v1/uploads/{upload_id}/complete")
    assert done.status_code == 201
    assert done.json()["sha256"] == hashlib.sha256(data).hexdigest() and done.json()["size"] == len(data)
    again = site.kiosk.post(f"/api/v1/uploads/{upload_id}/complete")
    assert again.json()["document_id"] == done.json()["document_id"]


def test_bad_documents_are_refused(site, service):
    data = make_pdf(10_000)
    wrong_sum = announce(site, data, sha256="0" * 64).json()["upload_id"]
    send(site, wrong_sum, data, 0, len(data) - 1)
    refused = site.kiosk.post(f"/api/v1/uploads/{wrong_sum}/complete")
    assert refused.status_code == 422 and refused.json()["error"] == "checksum_mismatch"
    assert site.kiosk.get(f"/api/v1/uploads/{wrong_sum}").json()["received"] == 0

    fake = b"%PDF-1.7\n" + os.urandom(5000)
    not_pdf = announce(site, fake).json()["upload_id"]
    send(site, not_pdf, fake, 0, len(fake) - 1)
    refused = site.kiosk.post(f"/api/v1/uploads/{not_pdf}/complete")
    assert refused.status_code == 422 and refused.json()["error"] == "not_a_pdf"

    too_big = announce(site, data, size=service.settings.max_document_bytes + 1)
    assert too_big.status_code == 413 and too_big.json()["error"] == "document_too_large"
    image = announce(site, data, content_type="image/jpeg")
    assert image.status_code == 415
    upload_id = announce(site, data).json()["upload_id"]
    bad_range = site.kiosk.put(f"/api/v1/uploads/{upload_id}", data[:100], headers={"Content-Range": "bytes 0-200/5"})
    assert bad_range.status_code == 400 and bad_range.json()["error"] == "bad_content_range"
    other = site.another_kiosk("k2").get(f"/api/v1/uploads/{upload_id}")
    assert other.status_code == 404


def test_dossier_submission_and_owner_views(site):
    data = make_pdf(20_000)
    document_id = upload(site, data)
    response = submit(site, documents=[{"document_id": document_id, "checklist_item": "giay_chung_sinh"}])
    assert response.status_code == 201, response.text
    dossier = response.json()
    assert re.fullmatch(rf"{site.code}-\d{{4}}-\d{{6}}", dossier["code"])
    assert dossier["status"] == "received" and dossier["procedure"] == "HT-KS"
    assert dossier["documents"][0]["sha256"] == hashlib.sha256(data).hexdigest()

    public = site.kiosk.get(f"/api/v1/dossiers/{dossier['code']}").json()
    assert set(public) == {"code", "kiosk_reference", "status", "expected_result_date", "procedure", "procedure_name"}
    mine = site.kiosk.post(f"/api/v1/dossiers/{dossier['code']}/details", {"id_number": OWNER["id_number"]})
    assert mine.status_code == 200 and mine.json()["owner"]["full_name"] == OWNER["full_name"]
    assert [h["status"] for h in mine.json()["history"]] == ["received"]
    theirs = site.kiosk.post(f"/api/v1/dossiers/{dossier['code']}/details", {"id_number": "001099099999"})
    assert theirs.status_code == 403 and theirs.json()["error"] == "owner_mismatch"

    staff_copy = site.staff.get(f"/api/v1/staff/documents/{document_id}")
    assert staff_copy.status_code == 200 and staff_copy.content == data
    reused = submit(site, documents=[{"document_id": document_id, "checklist_item": "giay_chung_sinh"}])
    assert reused.status_code == 409 and reused.json()["error"] == "document_in_use"
    wrong_item = submit(site, documents=[{"document_id": upload(site, data), "checklist_item": "hop_dong"}])
    assert wrong_item.status_code == 422 and wrong_item.json()["error"] == "unknown_checklist_item"
    unknown = submit(site, procedure="XX-00")
    assert unknown.status_code == 422 and unknown.json()["error"] == "procedure_not_found"
    assert site.kiosk.get("/api/v1/dossiers/NOPE-0000-000000").status_code == 404


@pytest.mark.parametrize("received, procedure, expected", [
    ((2025, 1, 24, 10, 0), "HT-CMC", "2025-02-05"),   # Friday before Tết: 3 working days after it
    ((2025, 1, 24, 16, 0), "CT-BS", "2025-02-03"),    # same-day procedure after the 15:00 cutoff
    ((2025, 4, 29, 9, 0), "HT-CMC", "2025-05-07"),    # around 30/4, 1/5 and the swapped 2/5
    ((2025, 4, 25, 9, 0), "HT-CMC", "2025-04-29"),    # the working Saturday 26/4 counts
])
def test_expected_result_date_counts_working_days(site, received, procedure, expected):
    site.clock.set(dt.datetime(*received, tzinfo=VIETNAM))
    response = submit(site, procedure=procedure)
    assert response.status_code == 201
    assert response.json()["expected_result_date"] == expected
    assert response.json()["code"].split("-")[1] == f"{received[0] % 100:02d}{received[1]:02d}"


def test_status_history_and_pickup(site):
    code = submit(site, procedure="HT-XNHN").json()["code"]
    pickup = {"id_number": OWNER["id_number"], "kiosk": "kiosk-01", "compartment": "3"}
    not_ready = site.kiosk.post(f"/api/v1/dossiers/{code}/pickup", pickup)
    assert not_ready.status_code == 409 and not_ready.json()["error"] == "not_ready"
    skip = site.staff.post(f"/api/v1/staff/dossiers/{code}/status", {"status": "ready_for_pickup"})
    assert skip.status_code == 409 and skip.json()["error"] == "invalid_transition"
    for status, message in [("processing", ""), ("needs_supplement", "Bổ sung bản sao giấy khai sinh."),
                            ("processing", ""), ("ready_for_pickup", "Mời ông/bà đến nhận kết quả.")]:
        moved = site.staff.post(f"/api/v1/staff/dossiers/{code}/status", {"status": status, "message": message})
        assert moved.status_code == 200 and moved.json()["status"] == status
    wrong_owner = site.kiosk.post(f"/api/v1/dossiers/{code}/pickup", pickup | {"id_number": "001099099999"})
    assert wrong_owner.status_code == 403
    handed = site.kiosk.post(f"/api/v1/dossiers/{code}/pickup", pickup)
    assert handed.status_code == 200 and handed.json()["status"] == "handed_over"
    assert handed.json()["pickup"]["compartment"] == "3"
    second = site.kiosk.post(f"/api/v1/dossiers/{code}/pickup", pickup)
    assert second.status_code == 409 and second.json()["error"] == "already_handed_over"
    details = site.kiosk.post(f"/api/v1/dossiers/{code}/details", {"id_number": OWNER["id_number"]}).json()
    assert [h["status"] for h in details["history"]] == [
        "received", "processing", "needs_supplement", "processing", "ready_for_pickup", "handed_over"]
    assert [m["message"] for m in details["messages"]] == ["Bổ sung bản sao giấy khai sinh.",
                                                           "Mời ông/bà đến nhận kết quả."]
    listed = site.staff.get("/api/v1/staff/dossiers", params={"status": "handed_over"}).json()
    assert [d["code"] for d in listed] == [code]


def test_lookups_are_rate_limited(site, service):
    site.clock.set(dt.datetime(2025, 8, 4, 10, 0, 5, tzinfo=VIETNAM))  # the window must not roll over mid-test
    code = submit(site).json()["code"]
    limit = service.settings.lookup_limit
    statuses = [site.kiosk.get(f"/api/v1/dossiers/{code}").status_code for _ in range(limit)]
    assert statuses == [200] * limit
    refused = site.kiosk.get(f"/api/v1/dossiers/{code}")
    assert refused.status_code == 429 and refused.json()["error"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= service.settings.lookup_window_s
    guessing = site.kiosk.post(f"/api/v1/dossiers/{code}/details", {"id_number": OWNER["id_number"]})
    assert guessing.status_code == 429
    assert site.another_kiosk("k2").get(f"/api/v1/dossiers/{code}").status_code == 200
    site.clock.advance(seconds=service.settings.lookup_window_s)
    assert site.kiosk.get(f"/api/v1/dossiers/{code}").status_code == 200


def test_procedure_catalog(site):
    procedures = site.kiosk.get("/api/v1/procedures").json()
    assert len(procedures) >= 20
    assert {p["field"] for p in procedures} >= {"civil_status", "certification", "land", "business", "social"}
    for procedure in procedures:
        assert procedure["name"]["vi"] and procedure["name"]["en"] and procedure["documents"]
        assert procedure["fee"]["in_person"] >= procedure["fee"]["online"] >= 0
        assert procedure["processing_days"] >= 0 and procedure["result_methods"]
    found = site.kiosk.get("/api/v1/procedures", params={"q": "ket hon"}).json()
    assert [p["code"] for p in found] == ["HT-KH"]
    land = site.kiosk.get("/api/v1/procedures", params={"field": "land"}).json()
    assert land and all(p["field"] == "land" for p in land)
    one = site.kiosk.get("/api/v1/procedures/HT-KS")
    assert one.status_code == 200 and one.json()["name"]["vi"] == "Đăng ký khai sinh"
    # the form the kiosk asks the citizen to fill, served with the procedure so kiosks follow changes
    fields = {f["id"]: f for f in one.json()["form"]}
    assert fields["applicant_name"]["source"] == "full_name" and any(not f.get("source") for f in fields.values())
    assert site.kiosk.get("/api/v1/procedures/NOPE").status_code == 404
