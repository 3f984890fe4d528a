"""Jobs built by devices.printer.encode, read back through the renderer."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont
from printer_helpers import ink

from devices.printer import codepages, encode
from devices.printer.encode import TextLine
from devices.printer.escpos_render import render

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    "àảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
)
VIETNAMESE += VIETNAMESE.upper()
SENTENCES = [
    "Trung tâm Phục vụ hành chính công xã Hợp Thịnh",
    "ĐĂNG KÝ KHAI SINH — Quầy số 3".replace("—", "-"),
    "Người đến trước: 12, ước tính chờ 18 phút",
    "Ông Nguyễn Văn Ấn, bà Trần Thị Ửng, cháu Đỗ Ỷ Ỹ",
]


def generated_ticket(width: int = 576) -> Image.Image:
    """A ticket-like picture: text, a solid bar, a QR-ish checkerboard, grey that must threshold."""
    image = Image.new("L", (width, 300), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 48)
    draw.text((20, 10), "Số 1024", font=font, fill=0)
    draw.rectangle((20, 90, width - 20, 110), fill=0)
    for y in range(0, 8):
        for x in range(0, 8):
            if (x + y) % 2:
                draw.rectangle((30 + x * 12, 130 + y * 12, 41 + x * 12, 141 + y * 12), fill=0)
    draw.rectangle((300, 130, 400, 230), fill=100)  # dark grey: black after thresholding
    draw.rectangle((420, 130, 520, 230), fill=200)  # light grey: white after thresholding
    return image


@pytest.mark.parametrize("dots", [576, 384])
def test_raster_job_round_trips_pixel_for_pixel(dots):
    picture = generated_ticket(dots)
    job = encode.raster_job(picture, dots=dots)
    result = render(job, dots_per_line=dots)

    assert job.startswith(b"\x1b@\x1dv0")
    assert len(result.cuts) == 1
    (printed,) = result.images
    assert (printed.command, printed.width, printed.height) == ("GS v 0", dots, 300)
    left, top, right, bottom = printed.box
    expected = np.asarray(picture) < 128
    assert np.array_equal(ink(result.image)[top:bottom, left:right], expected)


def test_raster_job_scales_a_wide_picture_to_the_paper():
    picture = Image.new("RGB", (1152, 200), "white")
    ImageDraw.Draw(picture).rectangle((0, 0, 575, 199), fill="black")
    result = render(encode.raster_job(picture, dots=576))
    (printed,) = result.images
    assert (printed.width, printed.height) == (576, 100)
    left, top, right, bottom = printed.box
    region = ink(result.image)[top:bottom, left:right]
    assert region[:, :280].all() and not region[:, 296:].any()


def test_transparent_picture_prints_on_white():
    picture = Image.new("RGBA", (576, 50), (0, 0, 0, 0))
    ImageDraw.Draw(picture).rectangle((0, 0, 99, 49), fill=(0, 0, 0, 255))
    result = render(encode.raster_job(picture, cut=False))
    left, top, right, bottom = result.images[0].box
    region = ink(result.image)[top:bottom, left:right]
    assert region[:, :100].all() and not region[:, 100:].any()
    assert result.cuts == []


@pytest.mark.parametrize("code_page", ["cp1258", "tcvn3"])
def test_vietnamese_text_job_round_trips(code_page):
    job = encode.text_job(SENTENCES, code_page)
    result = render(job)
    assert result.lines[: len(SENTENCES)] == [unicodedata.normalize("NFC", s) for s in SENTENCES]
    assert len(result.cuts) == 1
    assert result.skipped == []


@pytest.mark.parametrize("code_page", ["cp1258", "tcvn3"])
def test_decomposed_input_prints_the_same(code_page):
    decomposed = [unicodedata.normalize("NFD", s) for s in SENTENCES]
    assert encode.text_job(decomposed, code_page) == encode.text_job(SENTENCES, code_page)


def test_cp1258_sends_tone_marks_as_combining_bytes():
    assert codepages.encode_cp1258("ấ") == b"\xe2\xec"  # â + combining acute
    assert codepages.encode_cp1258("à") == b"\xe0"  # precomposed in CP1258
    assert codepages.encode_cp1258("Đạt") == b"\xd0a\xf2t"  # Đ, a + dot below, t


def test_tcvn3_switches_tables_only_for_capitals():
    job = encode.text_job(["Đà Nẵng", "đà nẵng"], "tcvn3")
    assert job.count(b"\x1bt\x1f") == 1  # TCVN-3-2 for "Đ"
    assert job.count(b"\x1bt\x1e") == 1  # back to TCVN-3-1 once, for the rest of both lines
    assert render(job).lines[:2] == ["Đà Nẵng", "đà nẵng"]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=VIETNAMESE + " 0123456789.,:-", max_size=40))
def test_any_vietnamese_text_survives_both_code_pages(text):
    expected = unicodedata.normalize("NFC", text)
    cp1258 = codepages.encode_cp1258(text)
    assert unicodedata.normalize("NFC", "".join(codepages.glyphs("CP1258")[b] for b in cp1258)) == expected
    runs = codepages.split_tcvn3(text)
    assert "".join(codepages.glyphs(run.table)[b] for run in runs for b in run.data) == expected


def test_styles_and_qr_in_text_mode():
    lines = [TextLine("SỐ THỨ TỰ", align="center", bold=True), TextLine("1024", align="center", width=4, height=4)]
    result = render(encode.text_job(lines, "tcvn3", qr="https://dichvucong.example/ve/HT01-1024"))
    assert result.lines[:2] == ["SỐ THỨ TỰ", "1024"]
    (qr,) = result.qr_codes
    assert qr.data == b"https://dichvucong.example/ve/HT01-1024"
    assert abs((qr.box[0] + qr.box[2]) / 2 - result.image.width / 2) <= 2  # centred
    found = zxingcpp.read_barcodes(result.image)
    assert [r.text for r in found] == ["https://dichvucong.example/ve/HT01-1024"]
    big = ink(result.image)[: qr.box[1]]
    rows = np.flatnonzero(big.any(axis=1))
    assert rows[-1] - rows[0] > 4 * 24  # the number is printed four times as tall as normal text


def test_unprintable_characters_are_refused_or_replaced():
    with pytest.raises(codepages.UnprintableText, match="U\\+20AC|U\\+2603"):
        encode.text_job(["Phí: 5☃"], "tcvn3")
    with pytest.raises(codepages.UnprintableText):
        codepages.encode_cp1258("Ω")
    assert codepages.encode_cp1258("Ω", replace="?") == b"?"
    with pytest.raises(ValueError, match="code_page"):
        encode.text_job(["x"], "utf8")
    with pytest.raises(ValueError, match="no TCVN-3-1"):
        encode.text_job(["x"], "tcvn3", profile="POS-5890")


def test_58mm_profile_numbers_its_code_page():
    job = encode.text_job(["Hộ tịch"], "cp1258", dots=384, profile="POS-5890")
    assert b"\x1bt\x1b" in job  # POS-5890 selects CP1258 with ESC t 27
    assert render(job, dots_per_line=384, profile="POS-5890").lines[0] == "Hộ tịch"
