"""Result pickup at the kiosk's locker against the real central service and the simulated locker."""

from __future__ import annotations

import itertools
import threading

import pytest
import zxingcpp
from dossier_rig import BIRTH_FIELDS, OWNER, STRANGER, document
from PIL import Image

from kiosk.dossiers import DossierError
from kiosk.identity.visit import VisitIdentity

LOCKER = "sim://?compartments=A1,A2,A3"
_children = itertools.count(1)


def owner():
    return VisitIdentity.from_payload(OWNER)


def ready_dossier(center, kiosk, compartment: str | None = "A2", load: bool = True, at_kiosk: str | None = None):
    values = {**BIRTH_FIELDS, "child_name": f"Trần Minh Khôi {next(_children)}"}  # each a new dossier
    receipt = kiosk.dossiers.submit(kiosk.catalog.get("HT-KS"), owner(), values, [document("giay_chung_sinh")], "vi")
    assert receipt.code
    center.mark_ready(receipt.code, (at_kiosk or kiosk.config.kiosk.id) if compartment else None, compartment)
    if compartment and load and at_kiosk is None:
        kiosk.devices.locker.load(compartment)
    return receipt.code


def citizen(locker, compartment: str, *, take: bool = True, close: bool = True) -> threading.Thread:
    """Plays the citizen: waits for the door to open, takes the result, pushes the door shut."""
    start = len(locker.events)

    def act():
        if locker.wait_event("opened", compartment, timeout=15, after=start) is None:
            return
        if take:
            locker.take(compartment)
        if close:
            locker.close(compartment)

    thread = threading.Thread(target=act, daemon=True)
    thread.start()
    return thread


def alerts_of(center, kind: str, code: str) -> list[dict]:
    return [a for a in center.staff("/alerts") if a["kind"] == kind and code in (a.get("detail") or "")]


def test_pickup_opens_the_compartment_records_the_handover_and_prints_a_slip(center, make_kiosk):
    kiosk = make_kiosk(center, locker=LOCKER)
    code = ready_dossier(center, kiosk)
    details = kiosk.dossiers.details(code, owner())
    assert details["status"] == "ready_for_pickup" and kiosk.dossiers.pickup_place(details) == "A2"

    steps: list[str] = []
    helper = citizen(kiosk.devices.locker, "A2")
    result = kiosk.dossiers.pickup(code, owner(), steps.append, "vi")
    helper.join(5)

    assert steps == ["opening", "open", "closed", "recording", "printed"]
    assert result == {"code": code, "compartment": "A2", "recorded": True, "printed": True, "message": None}
    recorded = center.dossier(code)
    assert recorded["status"] == "handed_over"
    assert recorded["pickup"]["kiosk"] == kiosk.config.kiosk.id and recorded["pickup"]["compartment"] == "A2"
    printer = kiosk.devices.printer
    assert printer.wait_printed(30)
    codes = [c.text for c in zxingcpp.read_barcodes(Image.open(printer.last_job.png_path).convert("L"))]
    assert codes == [f"MOTCUA:D:{code}"]

    opened = len([e for e in kiosk.devices.locker.events if e.kind == "opened"])
    with pytest.raises(DossierError) as caught:
        kiosk.dossiers.pickup(code, owner(), steps.append, "vi")
    assert caught.value.code == "already_handed_over"
    assert len([e for e in kiosk.devices.locker.events if e.kind == "opened"]) == opened


@pytest.mark.parametrize("fault, code_expected, alert", [
    ("jammed", "locker_jammed", "locker_jammed"),
    ("door_left_open", "door_left_open", "locker_door_open"),
    ("still_occupied", "still_occupied", "locker_occupied"),
    ("empty", "locker_empty", "locker_empty"),
])
def test_locker_faults_record_no_handover(center, make_kiosk, fault, code_expected, alert):
    kiosk = make_kiosk(center, locker=LOCKER)
    kiosk.dossiers.pickups.door_timeout_s = 1.0
    locker = kiosk.devices.locker
    code = ready_dossier(center, kiosk, load=fault != "empty")
    if fault == "jammed":
        locker.set_fault("jammed", "A2")
    if fault == "door_left_open":
        locker.set_fault("door_left_open", "A2")
    opens = fault in ("door_left_open", "still_occupied")
    helper = citizen(locker, "A2", take=fault != "still_occupied") if opens else None
    steps: list[str] = []
    with pytest.raises(DossierError) as caught:
        kiosk.dossiers.pickup(code, owner(), steps.append, "en")
    if helper is not None:
        helper.join(5)
    assert ("open" in steps) == opens
    assert caught.value.code == code_expected
    assert "recording" not in steps
    assert center.dossier(code)["status"] == "ready_for_pickup"
    assert alerts_of(center, alert, code), f"staff were not alerted ({alert})"


def test_pickup_needs_the_owner_a_ready_result_and_this_kiosks_locker(center, make_kiosk):
    kiosk = make_kiosk(center, locker=LOCKER)
    other = make_kiosk(center, locker=LOCKER)
    waiting = kiosk.dossiers.submit(kiosk.catalog.get("HT-KS"), owner(), dict(BIRTH_FIELDS), [], "vi").code
    with pytest.raises(DossierError) as caught:
        kiosk.dossiers.pickup(waiting, owner())
    assert caught.value.code == "not_ready"

    code = ready_dossier(center, kiosk)
    with pytest.raises(DossierError) as caught:
        kiosk.dossiers.pickup(code, VisitIdentity.from_payload(STRANGER))
    assert caught.value.code == "owner_mismatch"
    with pytest.raises(DossierError) as caught:
        other.dossiers.pickup(code, owner())
    assert caught.value.code == "wrong_kiosk" and caught.value.values["kiosk"] == kiosk.config.kiosk.id
    assert other.dossiers.pickup_place(other.dossiers.details(code, owner())) is None

    at_counter = ready_dossier(center, kiosk, compartment=None)
    details = kiosk.dossiers.details(at_counter, owner())
    assert kiosk.dossiers.pickup_place(details) is None
    with pytest.raises(DossierError) as caught:
        kiosk.dossiers.pickup(at_counter, owner())
    assert caught.value.code == "at_counter" and caught.value.values["counter"] == details["counter"]
    assert center.dossier(at_counter)["status"] == "ready_for_pickup"
    assert not [e for e in kiosk.devices.locker.events if e.kind == "opened"]


def test_a_handover_the_center_cannot_take_now_is_recorded_later(own_center, make_kiosk):
    """GIVEN the citizen took the result and closed the door WHEN the center is out of reach at that moment
    THEN the kiosk says so, the pickup slip still prints, and the handover is recorded once the center is back."""
    kiosk = make_kiosk(own_center, locker=LOCKER)
    code = ready_dossier(own_center, kiosk)

    def step(name: str) -> None:
        if name == "closed":
            own_center.stop()

    helper = citizen(kiosk.devices.locker, "A2")
    result = kiosk.dossiers.pickup(code, owner(), step, "vi")
    helper.join(5)
    assert result["recorded"] is False and result["printed"] is True and result["message"]
    assert kiosk.dossiers.pickups.last_slip.recorded is False
    assert kiosk.outbox.counts().waiting.get("dossier_pickup") == 1
    own_center.start()
    pickup_keys = [j.key for j in kiosk.outbox.jobs() if j.kind == "dossier_pickup"]
    assert pickup_keys and kiosk.worker.wait_for(pickup_keys[0], 30) is not None
    recorded = own_center.dossier(code)
    assert recorded["status"] == "handed_over" and recorded["pickup"]["compartment"] == "A2"
