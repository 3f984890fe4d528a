"""``wiring.build`` gives the kiosk its visits, and ``Kiosk.call_staff`` tells the truth about reaching staff.

Against the real central service on loopback; no window here (the screens are tested in
``test_identify_ui.py``).
"""

from __future__ import annotations

import time

import pytest

from identify_rig import NAME, PAYLOAD, Central
from kiosk import config as kiosk_config
from kiosk import wiring
from kiosk.identity import VisitIdentity


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    service = Central(tmp_path_factory.mktemp("central"))
    yield service
    service.stop()


@pytest.fixture
def kiosk(central, tmp_path):
    central.start()
    config = kiosk_config.from_dict(
        {
            "kiosk": {"data_dir": str(tmp_path / "data")},
            "central": {"url": central.url, "token": central.kiosk_token, "connect_timeout_s": 1.0},
        },
        "<identify wiring tests>",
    )
    built = wiring.build(config)
    yield built
    built.close()


def open_alerts(central, kind: str, screen: str) -> list[dict]:
    return [a for a in central.alerts() if a["kind"] == kind and a["screen"] == screen]


def test_a_visit_folder_left_by_a_crashed_run_is_shredded_when_the_kiosk_starts(central, tmp_path):
    stale = tmp_path / "data" / "visits" / "0123456789abcdef"
    stale.mkdir(parents=True)
    (stale / "page-01.png.sealed").write_bytes(b"sealed bytes of an earlier citizen")
    config = kiosk_config.from_dict({"kiosk": {"data_dir": str(tmp_path / "data")}}, "<test>")
    kiosk = wiring.build(config)
    try:
        assert kiosk.visits is not None and kiosk.visits.current is None
        assert not stale.exists()
    finally:
        kiosk.close()


def test_ending_a_visit_wipes_it_and_resets_the_speaker(kiosk):
    speaker = kiosk.devices.speaker
    visit = kiosk.visits.begin("vi")
    visit.identity = VisitIdentity.from_payload(PAYLOAD)
    visit.files.write("page-01.png", b"a captured page")
    folder = visit.files.folder
    speaker.set_volume(0.3)

    report = kiosk.visits.end("done")

    assert report.files_shredded == 1 and not folder.exists()
    assert visit.identity is None and visit.files is None and kiosk.visits.current is None
    assert speaker.volume == speaker.default_volume


def test_closing_the_kiosk_ends_the_visit_in_progress(central, tmp_path):
    config = kiosk_config.from_dict({"kiosk": {"data_dir": str(tmp_path / "data")}}, "<test>")
    kiosk = wiring.build(config)
    visit = kiosk.visits.begin("en")
    visit.identity = VisitIdentity.from_payload(PAYLOAD)
    folder = visit.files.folder
    kiosk.close()
    assert visit.ended == "shutdown" and visit.identity is None and not folder.exists()


def test_call_staff_is_true_once_the_central_service_has_the_alert(kiosk, central):
    assert kiosk.call_staff("lookup") is True
    alerts = open_alerts(central, "call_staff", "lookup")
    assert len(alerts) == 1 and alerts[0]["kiosk"] == "embedded-kiosk"
    assert kiosk.outbox.counts().waiting.get("alert", 0) == 0  # nothing left to send later


def test_an_alert_carries_its_kind_and_detail_for_staff(kiosk, central):
    assert kiosk.alert_staff("id_check", "identify", "card details disagree: sex_mismatch") is True
    (alert,) = open_alerts(central, "id_check", "identify")
    assert alert["detail"] == "card details disagree: sex_mismatch"
    assert NAME not in str(alert)


def test_call_staff_is_false_when_the_service_is_down_and_staff_get_the_alert_once_it_is_back(kiosk, central):
    central.stop()
    try:
        assert kiosk.call_staff("rating") is False
        assert kiosk.outbox.counts().waiting.get("alert") == 1
    finally:
        central.start()
    deadline = time.monotonic() + 30
    while not open_alerts(central, "call_staff", "rating") and time.monotonic() < deadline:
        kiosk.worker.wake()
        time.sleep(0.2)
    assert len(open_alerts(central, "call_staff", "rating")) == 1
    assert kiosk.outbox.counts().waiting.get("alert", 0) == 0


def test_a_kiosk_without_a_central_link_cannot_call_staff(tmp_path):
    config = kiosk_config.from_dict({"kiosk": {"data_dir": str(tmp_path / "data")}}, "<test>")
    kiosk = wiring.Kiosk(config=config, devices=wiring.Devices())
    assert kiosk.call_staff("home") is False
