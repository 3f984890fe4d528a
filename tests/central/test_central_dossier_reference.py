"""The kiosk's own reference on a dossier: found by every route, and never the cause of a second dossier."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from central.models import Dossier
from central_dossier_support import OTHER_ID, OWNER, dossier_body, move, new_reference, small_pdf, upload_document


def count_with(service, reference: str) -> int:
    with service.db.read() as session:
        return session.scalar(select(func.count()).select_from(Dossier).where(Dossier.kiosk_reference == reference))


def test_every_dossier_route_accepts_the_kiosk_reference(site):
    reference = new_reference()
    made = site.kiosk.post("/api/v1/dossiers", dossier_body(reference=reference))
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    assert made.json()["kiosk_reference"] == reference and code != reference

    public = site.kiosk.get(f"/api/v1/dossiers/{reference}")
    assert public.status_code == 200 and public.json()["code"] == code
    assert public.json()["kiosk_reference"] == reference
    assert site.kiosk.get(f"/api/v1/dossiers/{code}").json()["kiosk_reference"] == reference
    details = site.kiosk.post(f"/api/v1/dossiers/{reference}/details", {"id_number": OWNER["id_number"]})
    assert details.status_code == 200 and details.json()["code"] == code
    assert site.kiosk.post(f"/api/v1/dossiers/{reference}/details", {"id_number": OTHER_ID}).status_code == 403
    assert site.staff.get(f"/api/v1/staff/dossiers/{reference}").json()["code"] == code
    moved = move(site, reference, "processing", "ready_for_pickup")
    assert moved["code"] == code and moved["status"] == "ready_for_pickup"
    handed = site.kiosk.post(f"/api/v1/dossiers/{reference}/pickup",
                             {"id_number": OWNER["id_number"], "kiosk": f"{site.code}-kiosk", "compartment": None})
    assert handed.status_code == 200 and handed.json()["status"] == "handed_over"
    listed = site.staff.get("/api/v1/staff/dossiers").json()
    assert [d["kiosk_reference"] for d in listed if d["code"] == code] == [reference]
    assert site.kiosk.get(f"/api/v1/dossiers/{new_reference()}").status_code == 404
    for odd in ("K" * 300, "Hồ-sơ-số-1", "%00", "' OR 1=1 --"):
        unknown = site.staff.get(f"/api/v1/staff/dossiers/{odd}")
        assert unknown.status_code == 404 and set(unknown.json()) >= {"error", "message"}, odd


def test_a_dossier_without_a_reference_still_works(site):
    made = site.kiosk.post("/api/v1/dossiers", dossier_body())
    assert made.status_code == 201 and made.json()["kiosk_reference"] is None
    assert site.kiosk.get(f"/api/v1/dossiers/{made.json()['code']}").json()["kiosk_reference"] is None


def test_a_second_submit_with_the_same_reference_returns_the_first_dossier(site, service):
    """GIVEN a dossier delivered with its documents WHEN the kiosk delivers it again under a new
    Idempotency-Key THEN the answer is the same dossier and no second one exists."""
    reference = new_reference()
    document = upload_document(site, small_pdf())
    body = dossier_body(reference=reference,
                        documents=[{"document_id": document, "checklist_item": "to_khai_xac_nhan_hon_nhan"}])
    first = site.kiosk.post("/api/v1/dossiers", body)
    assert first.status_code == 201, first.text
    again = site.kiosk.post("/api/v1/dossiers", body)  # new key: the central answer was lost
    assert again.status_code in (200, 201), again.text
    assert again.json()["code"] == first.json()["code"]
    assert again.json()["documents"] == first.json()["documents"]
    other_kiosk = site.another_kiosk("k2").post("/api/v1/dossiers", dossier_body(reference=reference))
    assert other_kiosk.status_code in (200, 201) and other_kiosk.json()["code"] == first.json()["code"]
    assert count_with(service, reference) == 1


@pytest.mark.parametrize("change", [
    {"owner": OWNER | {"id_number": OTHER_ID}},
    {"procedure": "HT-CMC"},
])
def test_a_reference_belonging_to_another_dossier_is_refused(site, service, change):
    reference = new_reference()
    assert site.kiosk.post("/api/v1/dossiers", dossier_body(reference=reference)).status_code == 201
    refused = site.kiosk.post("/api/v1/dossiers", dossier_body(reference=reference) | change)
    assert refused.status_code == 409 and refused.json()["error"] == "kiosk_reference_taken"
    assert reference in refused.json()["message"]
    assert count_with(service, reference) == 1


@pytest.mark.parametrize("reference", ["", "K1 261122 0007", "K1/261122", "-K1", "K" * 41, 7, "Ngõ-1"])
def test_bad_references_are_a_422_naming_the_field(site, reference):
    refused = site.kiosk.post("/api/v1/dossiers", dossier_body() | {"kiosk_reference": reference})
    assert refused.status_code == 422 and refused.json()["error"] == "invalid_body"
    assert any(f["field"].endswith("kiosk_reference") for f in refused.json()["fields"])


def test_two_deliveries_at_once_make_one_dossier(site, service):
    """GIVEN two threads delivering the same dossier under different keys at the same moment THEN
    both get the same code and the database holds one dossier with that reference."""
    for _round in range(3):
        reference = new_reference()
        body = dossier_body(reference=reference)
        start = threading.Barrier(2)
        answers = []

        def deliver():
            start.wait()
            answers.append(site.kiosk.post("/api/v1/dossiers", body))

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(a.status_code for a in answers) == [201, 201], [a.text for a in answers]
        assert len({a.json()["code"] for a in answers}) == 1
        assert count_with(service, reference) == 1
