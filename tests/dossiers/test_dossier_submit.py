"""Submitting dossiers against the real central service: online, repeated, offline then delivered, slips."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import zxingcpp
from dossier_rig import BIRTH_FIELDS, OWNER, STRANGER, document
from PIL import Image

from central import workdays
from kiosk.dossiers import DossierError
from kiosk.dossiers.desk import MSG_OFFLINE_NOTICE, MSG_PAPER_OUT, TZ
from kiosk.identity.visit import VisitIdentity


def owner():
    return VisitIdentity.from_payload(OWNER)


def submit(kiosk, procedure="HT-KS", values=None, documents=None, **kwargs):
    documents = [document("giay_chung_sinh")] if documents is None else documents
    return kiosk.dossiers.submit(kiosk.catalog.get(procedure), owner(), dict(values or BIRTH_FIELDS), documents,
                                 "vi", **kwargs)


def slip_qr_codes(printer) -> list[str]:
    """What zxing-cpp reads in the last slip the simulated printer printed (its PNG)."""
    assert printer.wait_printed(30)
    job = printer.last_job
    assert job is not None and job.png_path.exists()
    return [code.text for code in zxingcpp.read_barcodes(Image.open(job.png_path).convert("L"))]


def test_online_submit_gives_code_date_and_a_slip_naming_it(center, make_kiosk):
    kiosk = make_kiosk(center)
    visit = kiosk.visits.begin("vi")
    receipt = submit(kiosk, visit=visit)

    assert re.fullmatch(r"HT01-\d{4}-\d{6}", receipt.code)
    assert re.fullmatch(r"K\d+-\d{6}-0001", receipt.kiosk_reference)
    assert receipt.state == "printed" and receipt.message is None
    recorded = center.dossier(receipt.code)
    assert recorded["kiosk_reference"] == receipt.kiosk_reference
    assert recorded["expected_result_date"] == receipt.expected_result_date.isoformat()
    assert recorded["form"]["child_name"] == "Trần Minh Khôi" and recorded["form"]["applicant_sex"] == "female"
    assert recorded["owner"]["id_number"] == "001199012345"
    assert [d["checklist_item"] for d in recorded["documents"]] == ["giay_chung_sinh"]
    assert slip_qr_codes(kiosk.devices.printer) == [f"MOTCUA:D:{receipt.code}"]

    kept = kiosk.dossiers.receipts(visit)
    assert [(r.code, r.kiosk_reference, r.state) for r in kept] == [(receipt.code, receipt.kiosk_reference, "printed")]
    visit.end("done")
    assert kiosk.dossiers.receipts(visit) == []

    public = kiosk.dossiers.lookup(receipt.code.lower())
    assert public["status"] == "received" and "owner" not in public
    assert kiosk.dossiers.lookup(receipt.kiosk_reference)["code"] == receipt.code


def test_the_same_submit_repeated_makes_one_dossier(center, make_kiosk):
    kiosk = make_kiosk(center)
    scans = [document("giay_chung_sinh")]
    first = submit(kiosk, documents=scans)
    again = submit(kiosk, documents=scans)
    assert (again.code, again.kiosk_reference) == (first.code, first.kiosk_reference)
    made = [d for d in center.dossiers() if d.get("kiosk_reference") == first.kiosk_reference]
    assert len(made) == 1
    other = submit(kiosk, values={**BIRTH_FIELDS, "child_name": "Trần Minh An"}, documents=scans)
    assert other.kiosk_reference != first.kiosk_reference and other.code != first.code


def test_form_and_checklist_problems_are_refused_before_queuing(center, make_kiosk):
    kiosk = make_kiosk(center)
    before = kiosk.outbox.counts().waiting_total
    with pytest.raises(DossierError) as caught:
        submit(kiosk, values={**BIRTH_FIELDS, "child_birth": "30/02/2026"})
    assert caught.value.code == "form" and caught.value.problems == {"child_birth": kiosk_message("date")}
    with pytest.raises(DossierError) as caught:
        submit(kiosk, documents=[document("giay_dang_ky_ket_hon_la")])
    assert caught.value.code == "document"
    with pytest.raises(DossierError) as caught:
        kiosk.dossiers.submit(kiosk.catalog.get("HT-KS"), None, BIRTH_FIELDS, [], "vi")
    assert caught.value.code == "not_identified"
    assert kiosk.outbox.counts().waiting_total == before


def kiosk_message(kind: str) -> str:
    from kiosk.dossiers import forms

    return {"date": forms.MSG_BAD_DATE}[kind]


def test_owner_views_and_refusals(center, make_kiosk, caplog):
    caplog.set_level(logging.DEBUG)
    kiosk = make_kiosk(center)
    receipt = submit(kiosk)
    details = kiosk.dossiers.details(receipt.code, owner())
    assert details["owner"]["full_name"] == "Nguyễn Thị Ước" and details["history"][0]["status"] == "received"
    with pytest.raises(DossierError) as caught:
        kiosk.dossiers.details(receipt.code, VisitIdentity.from_payload(STRANGER))
    assert caught.value.code == "owner_mismatch"
    with pytest.raises(DossierError) as caught:
        kiosk.dossiers.lookup("HT01-0001-999999")
    assert caught.value.code == "not_found"
    with pytest.raises(DossierError) as caught:
        kiosk.dossiers.details(receipt.code, None)
    assert caught.value.code == "not_identified"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert receipt.code in logged or receipt.kiosk_reference in logged  # the log did record the work
    for personal in ("001199012345", "079203004512", "Nguyễn Thị Ước", "Trần Minh Khôi", "Xóm Ước Lễ"):
        assert personal not in logged


def test_paper_out_keeps_the_dossier_alerts_staff_and_prints_on_retry(center, make_kiosk):
    kiosk = make_kiosk(center)
    printer = kiosk.devices.printer
    kiosk.desk.monitor.check()
    printer.set_paper("out")
    receipt = submit(kiosk)
    assert receipt.code and receipt.state == "failed" and receipt.message == MSG_PAPER_OUT
    alerts = [a for a in center.staff("/alerts") if a.get("kind") == "print_failed"
              and receipt.kiosk_reference in (a.get("detail") or "")]
    assert alerts, "staff were not alerted"
    assert kiosk.dossiers.reprint(receipt).state == "shown"  # still out of paper: the slip stays on screen
    printer.set_paper("ok")
    jobs = len(printer.jobs)
    assert kiosk.dossiers.reprint(receipt).state == "printed" and receipt.message is None
    kiosk.dossiers.reprint(receipt)
    assert receipt.copies == 1 and len(printer.jobs) == jobs + 2
    assert slip_qr_codes(printer) == [f"MOTCUA:D:{receipt.code}"]


def test_offline_submit_is_delivered_once_when_the_center_is_back(own_center, make_kiosk):
    """GIVEN a kiosk that fetched the office calendar WHEN the center goes down and a dossier is submitted
    THEN the slip carries the kiosk reference and the date counted offline, the dossier shows as queued,
    AND when the center is back it is delivered exactly once and its reference works at any kiosk."""
    kiosk = make_kiosk(own_center, wait_s=1.0)
    assert kiosk.dossiers.refresh()
    own_center.stop()
    receipt = submit(kiosk)
    assert receipt.code is None and receipt.message == MSG_OFFLINE_NOTICE and receipt.state == "printed"
    local = receipt.received_at.astimezone(TZ).replace(tzinfo=None)
    expected = workdays.default_calendar().expected_result_date(local, 0)
    assert receipt.expected_result_date == expected
    assert slip_qr_codes(kiosk.devices.printer) == [f"MOTCUA:D:{receipt.kiosk_reference}"]
    queued = kiosk.dossiers.lookup(receipt.kiosk_reference)
    assert queued["status"] == "queued" and queued["procedure"] == "HT-KS"
    with pytest.raises(DossierError) as caught:
        kiosk.dossiers.details(receipt.kiosk_reference, owner())
    assert caught.value.code == "queued"

    own_center.start()
    outcome = kiosk.worker.wait_for(receipt.kiosk_reference, 30)
    assert outcome is not None and outcome.delivered
    made = [d for d in own_center.dossiers() if d.get("kiosk_reference") == receipt.kiosk_reference]
    assert len(made) == 1
    assert made[0]["expected_result_date"] >= expected.isoformat()
    public = kiosk.dossiers.lookup(receipt.kiosk_reference)
    assert public["status"] == "received" and public["code"] == made[0]["code"]
    elsewhere = make_kiosk(own_center)
    assert elsewhere.dossiers.lookup(receipt.kiosk_reference)["code"] == made[0]["code"]
    again = kiosk.dossiers.reprint(receipt)  # a copy now names central's code
    assert again.code == made[0]["code"]
    assert slip_qr_codes(kiosk.devices.printer) == [f"MOTCUA:D:{made[0]['code']}"]


def test_offline_without_a_calendar_leaves_the_date_to_the_center(own_center, make_kiosk):
    kiosk = make_kiosk(own_center, wait_s=0.5)
    own_center.stop()
    with kiosk.outbox.transaction() as conn:  # forget the calendar the kiosk may have fetched at start
        conn.execute("DELETE FROM dossier_calendar")
    receipt = submit(kiosk)
    assert receipt.code is None and receipt.expected_result_date is None
    assert receipt.received_at.tzinfo is not None and receipt.received_at <= dt.datetime.now(TZ)
