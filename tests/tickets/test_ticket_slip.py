"""The printed ticket: small enough for a slow serial printer, correct Vietnamese on any printer.

The job is printed by the simulated printer, whose picture is checked the way a person would: its QR
code is decoded with zxing-cpp and its text read back with Tesseract.
"""

from __future__ import annotations

import datetime as dt

import pytesseract
import pytest
import zxingcpp
from ticket_rig import read_number

from devices.printer.escpos_render import render
from kiosk.printing import layout
from kiosk.printing.job import is_plain, magnification, slip_job
from kiosk.printing.ticket import TicketSlip, ticket_blocks, ticket_job
from kiosk.references import parse, ticket_code

REFERENCE = "5f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
GS_V0 = b"\x1dv0"
SERIAL_115200_BYTES_PER_S = 11_520


def slip(**changes) -> TicketSlip:
    values = dict(
        center_name="Trung tâm Phục vụ hành chính công xã Hợp Thịnh",
        number="A012",
        service_name="Hộ tịch – Cư trú",
        issued_at=dt.datetime(2026, 11, 23, 8, 15),
        qr=ticket_code(REFERENCE),
        counters=("1", "2"),
        position=5,
        estimated_wait_minutes=15,
        priority=True,
        hotline="0222 3 868 868",
    )
    values.update(changes)
    return TicketSlip(**values)


def test_the_number_and_the_date_print_in_the_printers_own_font_enlarged():
    job = ticket_job(slip(), "vi")
    assert "A012" in job.native_lines and "23/11/2026 08:15" in job.native_lines
    # GS ! with width and height eight times, then the number as plain bytes.
    assert b"\x1d!\x77\x1bE\x01A012\n" in job.data
    assert job.qr_codes == [ticket_code(REFERENCE)]
    assert b"\x1d(k" in job.data  # the printer draws the QR code itself


def test_vietnamese_lines_are_pictures_in_raster_mode_and_english_ones_are_not():
    vietnamese = ticket_job(slip(), "vi")
    assert "Số thứ tự của bạn" in vietnamese.raster_lines
    assert "Hộ tịch – Cư trú" in vietnamese.raster_lines
    english = ticket_job(slip(service_name="Civil status and residence"), "en")
    assert "Your number" in english.native_lines
    assert english.raster_lines == ["Trung tâm Phục vụ hành chính công xã Hợp Thịnh"]


@pytest.mark.parametrize("dots", [576, 384])
@pytest.mark.parametrize("offline", [False, True])
def test_a_ticket_goes_through_a_115200_baud_serial_link_in_under_two_seconds(dots, offline):
    changes = {"number": "K1-A012", "position": None, "estimated_wait_minutes": None, "offline": True} if offline else {}
    job = ticket_job(slip(**changes), "vi", dots=dots)
    whole = len(layout.render(ticket_blocks(slip(**changes), "vi"), dots).tobytes())
    assert len(job.data) / SERIAL_115200_BYTES_PER_S < 2.0
    assert job.seconds_at(115200) < 2.0
    assert len(job.data) < whole / 3  # a third of the ticket drawn whole, at most


@pytest.mark.parametrize("mode,page_switches", [("cp1258", 1), ("tcvn3", 2)])
def test_code_page_modes_send_vietnamese_as_text(mode, page_switches):
    job = ticket_job(slip(service_name="Chứng thực"), "vi", text_mode=mode)
    assert "Số thứ tự của bạn" in job.native_lines
    assert "Chứng thực" in job.native_lines
    assert job.raster_lines == []
    assert job.data.count(b"\x1bt") >= page_switches
    printed = render(job.data, dots_per_line=576)
    assert "Số thứ tự của bạn" in printed.lines
    assert "Trung tâm Phục vụ hành chính công xã Hợp Thịnh" in printed.lines


def test_a_line_the_code_page_cannot_hold_is_drawn_instead():
    job = ticket_job(slip(), "vi", text_mode="tcvn3")  # TCVN-3 has no en dash
    assert job.raster_lines == ["Hộ tịch – Cư trú"]
    assert GS_V0 in job.data


def test_the_number_shrinks_to_fit_narrow_paper():
    assert magnification(16.0, "A012", 576) == 8
    assert magnification(16.0, "K1-A012", 576) == 6
    assert magnification(16.0, "K1-A012", 384) == 4
    assert magnification(2.4, "23/11/2026", 576) == 1
    assert is_plain("A012 23/11/2026") and not is_plain("Quầy 1")


def test_blocks_of_every_kind_make_one_job_ending_in_a_cut():
    job = slip_job([layout.Text("MOTCUA"), layout.Space(3), layout.Rule(dashed=True), layout.QR("MOTCUA:D:X1")])
    assert job.data.startswith(b"\x1b@")
    assert job.data.endswith(b"\x1dV\x00")
    assert b"\x1bJ\x18" in job.data  # 3 mm of paper fed
    with pytest.raises(ValueError):
        slip_job([], text_mode="utf8")


def test_the_printed_ticket_looks_right_to_a_person():
    """GIVEN a Vietnamese ticket printed by the simulator WHEN its picture is read THEN the QR code names the
    ticket and the text, Vietnamese letters included, reads back."""
    printed = render(ticket_job(slip(), "vi").data, dots_per_line=576)
    codes = zxingcpp.read_barcodes(printed.image)
    assert [parse(code.text).value for code in codes] == [REFERENCE]
    assert read_number(printed.image, printed.qr_codes[0].box).count("A012") >= 2
    text = pytesseract.image_to_string(printed.image, lang="vie")
    for words in ("Số thứ tự của bạn", "Quầy 1, 2", "Số người chờ trước bạn: 5", "Ưu tiên", "Hộ tịch"):
        assert words in text


@pytest.mark.parametrize("number,dots", [("K1-B007", 384), ("F090", 576)])
def test_the_number_reads_back_on_both_papers(number, dots):
    printed = render(ticket_job(slip(number=number, offline=number.startswith("K")), "vi", dots=dots).data,
                     dots_per_line=dots)
    assert zxingcpp.read_barcodes(printed.image)[0].text == ticket_code(REFERENCE)
    assert read_number(printed.image, printed.qr_codes[0].box).count(number) >= 2
