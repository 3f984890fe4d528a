"""Maintenance actions against the simulators: health, test print, camera, speech, QR kind, locker,
the configuration without secrets and the logs without personal data."""

from __future__ import annotations

import logging

import pytest

from kiosk import logs
from kiosk.admin.maintenance import MASK, Maintenance, code_kind, is_secret, redact_url
from kiosk.wiring import Kiosk, open_devices

TOKEN = "kiosk-token-7Hq2-not-for-eyes"
# Invented people.
ID_NUMBER = "079188001234"
PAYLOAD = f"{ID_NUMBER}|212345678|Vũ Thị Lan|01011988|Nữ|Ấp 3, xã Tân Phú, tỉnh Đồng Nai|05052021"


@pytest.fixture
def kiosk(sim_config):
    config = sim_config(central={"token": TOKEN, "url": "https://kiosk:s3cret@dich-vu.example.vn/api"},
                        devices={"locker": "sim://?compartments=A1,A2,A3&loaded=A2"})
    devices = open_devices(config)
    yield Kiosk(config=config, devices=devices)
    devices.close()


@pytest.fixture
def maintenance(kiosk):
    return Maintenance(kiosk)


def test_every_device_reports_its_health_and_an_absent_one_says_so(sim_config):
    config = sim_config(devices={"locker": "none://"})
    devices = open_devices(config)
    try:
        rows = {row.kind: row for row in Maintenance(Kiosk(config=config, devices=devices)).devices()}
    finally:
        devices.close()
    assert set(rows) == {"printer", "camera", "qr_reader", "speaker", "locker"}
    assert rows["printer"].status == "ok" and rows["locker"].status == "absent" and not rows["locker"].installed
    outcome = Maintenance(Kiosk(config=config, devices=devices)).locker_status()
    assert not outcome.ok and outcome.message == "Not installed at this kiosk."


def test_test_print_goes_through_the_printer_port_and_comes_out_as_a_picture(maintenance, kiosk):
    printer = kiosk.devices.printer
    outcome = maintenance.test_print("vi")
    assert outcome.ok and outcome.text("vi") == "Đã in phiếu thử."
    assert printer.wait_printed(30)
    job = printer.last_job
    assert job.png_path.is_file() and job.complete
    assert [code.data for code in job.rendering.qr_codes] == [b"MOTCUA-TEST:kiosk-01"]
    assert "kiosk-01" in job.rendering.text


def test_a_printer_fault_is_shown_not_raised(maintenance, kiosk):
    kiosk.devices.printer.open_cover()
    outcome = maintenance.test_print("en")
    assert not outcome.ok
    assert outcome.text("en") == "The test slip could not be printed.\nprinter sim: cover open"
    assert kiosk.devices.printer.jobs == []


def test_speech_test_says_a_sentence_in_the_language_asked(maintenance, kiosk):
    assert maintenance.speech_test("vi").ok
    assert maintenance.speech_test("en").ok
    said = kiosk.devices.speaker.utterances
    assert [(u.language, u.text) for u in said[-2:]] == [
        ("vi", "Đây là câu nói thử. Nếu nghe được câu này, loa hoạt động tốt."),
        ("en", "This is a speech test. If you can hear this, the speaker works."),
    ]
    kiosk.devices.speaker.set_fault("no_audio")
    assert not maintenance.speech_test("vi").ok


def test_camera_gives_a_frame_or_says_why_not(maintenance, kiosk):
    outcome, frame = maintenance.camera_frame()
    assert outcome.ok and frame.size == (1240, 1754)
    kiosk.devices.camera.set_fault("no_device")
    outcome, frame = maintenance.camera_frame()
    assert not outcome.ok and frame is None and "unplugged" in outcome.detail


def test_a_code_read_is_named_by_kind_never_by_its_contents(maintenance, kiosk, caplog):
    caplog.set_level(logging.INFO)
    kiosk.devices.qr_reader.push(PAYLOAD)
    outcome = maintenance.read_code(5)
    assert outcome.ok and outcome.text("en") == "Code read: chip ID card (CCCD)."
    assert maintenance.outcome_values(outcome, "vi") == {"kind": "thẻ căn cước công dân gắn chip (CCCD)"}
    assert ID_NUMBER not in caplog.text and "Vũ Thị Lan" not in caplog.text
    outcome = maintenance.read_code(0.05)
    assert not outcome.ok and outcome.text("en") == "No code was read within 0.05 seconds."


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PAYLOAD.encode(), "cccd-2021"),
        (b"MOTCUA:T:3f2c9a1e-7d44-4a5b-9a0e-2b1c3d4e5f60", "ticket"),
        (b"MOTCUA:D:HT01-2025-000123", "dossier"),
        (b"https://dichvucong.gov.vn/", "web"),
        (b"079188001234|x|y", "id_card_invalid"),
        (b"hello", "text"),
        (b"\xff\xfe\x00", "binary"),
    ],
)
def test_code_kinds(data, kind):
    assert code_kind(data) == kind


def test_locker_status_counts_doors(maintenance):
    outcome = maintenance.locker_status()
    assert outcome.ok and outcome.text("en") == "3 compartments: 1 occupied, 0 open, 0 jammed."


def test_configuration_shows_no_token_key_or_password(maintenance):
    lines = dict(maintenance.config_lines())
    shown = "\n".join(f"{k} = {v}" for k, v in lines.items())
    assert lines["central.token"] == MASK
    assert lines["central.url"] == f"https://kiosk:{MASK}@dich-vu.example.vn/api"
    assert TOKEN not in shown and "7Hq2" not in shown and "s3cret" not in shown
    assert lines["kiosk.id"] == "kiosk-01" and lines["hours.mon"] == "07:00-17:30" and lines["hours.sat"] == ""
    assert lines["devices.printer"] == "sim://"


def test_secret_names_and_urls():
    assert is_secret("central.token") and is_secret("kiosk.outbox_key_file") and is_secret("api_password")
    assert not is_secret("kiosk.id") and not is_secret("center.hotline") and not is_secret("keyboard.layout")
    assert redact_url("escpos+tcp://10.0.0.5:9100?token=abc&dots=576") == f"escpos+tcp://10.0.0.5:9100?token={MASK}&dots=576"
    assert redact_url("https://user@host/x") == f"https://{MASK}@host/x"
    assert redact_url("not a url") == "not a url"


def test_logs_show_the_last_lines_without_an_id_number(maintenance, kiosk):
    logger = logging.getLogger("kiosk.test_admin_maintenance")
    logger.propagate = False
    handlers = logs.setup(kiosk.config.kiosk.data_dir, logger=logger, stderr=False)
    try:
        for number in range(250):
            logger.info("line %d", number)
        logger.info("citizen %s asked for a ticket", ID_NUMBER)
        logger.info("scanned %s", PAYLOAD)
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
    lines = maintenance.log_lines()
    assert len(lines) == 200
    assert lines[-2].endswith("citizen [redacted] asked for a ticket") and lines[-1].endswith("scanned [redacted]")
    assert lines[0].endswith("line 52")
    assert not any(ID_NUMBER in line or "Vũ Thị Lan" in line for line in lines)


def test_no_logs_yet_is_an_empty_list(maintenance):
    assert maintenance.log_lines() == []
    assert maintenance.log_folder().name == "logs"
