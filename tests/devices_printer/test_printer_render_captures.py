"""The ESC/POS renderer on real print jobs captured from escpos-php (tests/fixtures/escpos)."""

from __future__ import annotations

import re

import numpy as np
import pytesseract
import pytest
import zxingcpp
from PIL import Image
from printer_helpers import capture, ink

from devices.printer.escpos_render import render


def stored_qr_payloads(job: bytes) -> list[bytes]:
    """The QR data of every ``GS ( k`` store command (cn 49, fn 80), parsed independently of the renderer."""
    payloads = []
    for match in re.finditer(rb"\x1d\(k", job):
        size = job[match.end()] | job[match.end() + 1] << 8
        body = job[match.end() + 2 : match.end() + 2 + size]
        if body[:2] == b"1P":
            payloads.append(body[3:])
    return payloads


def raster_images(job: bytes) -> list[tuple[int, np.ndarray]]:
    """(mode, bits) of every ``GS v 0`` image: bits[y, x] is True for a printed dot."""
    images = []
    for match in re.finditer(rb"\x1dv0", job):
        at = match.end()
        mode, width_bytes, height = job[at], job[at + 1] | job[at + 2] << 8, job[at + 3] | job[at + 4] << 8
        data = np.frombuffer(job[at + 5 : at + 5 + width_bytes * height], dtype=np.uint8)
        images.append((mode, np.unpackbits(data).reshape(height, width_bytes * 8).astype(bool)))
    return images


def test_qr_payloads_of_the_capture_come_back_from_the_rendered_picture():
    job = capture("qr-code.bin")
    expected = stored_qr_payloads(job)
    result = render(job)

    assert len(expected) == 19
    assert [code.data for code in result.qr_codes] == expected
    assert all(code.printed for code in result.qr_codes)
    for code in result.qr_codes:
        left, top, right, bottom = code.box
        found = zxingcpp.read_barcodes(result.image.crop((left - 8, top - 8, right + 8, bottom + 8)))
        assert [r.bytes for r in found] == [code.data], code
    assert {code.kind for code in result.qr_codes} == {"qr", "micro_qr"}
    assert [code.details["module"] for code in result.qr_codes[9:15]] == [1, 2, 3, 4, 5, 10]
    assert [code.details["ec"] for code in result.qr_codes[5:9]] == ["L", "M", "Q", "H"]


def test_the_whole_page_of_qr_codes_decodes():
    result = render(capture("qr-code.bin"))
    decoded = sorted(r.bytes for r in zxingcpp.read_barcodes(result.image))
    assert decoded == sorted(code.data for code in result.qr_codes)


def test_centred_qr_code_is_in_the_middle_of_the_paper():
    result = render(capture("qr-code.bin"))
    left_aligned, centred = result.qr_codes[0].box, result.qr_codes[1].box
    paper_middle = result.image.width / 2
    assert left_aligned[0] < 40
    assert abs((centred[0] + centred[2]) / 2 - paper_middle) <= 2


@pytest.mark.parametrize("name, command", [("bit-image.bin", "GS v 0"), ("graphics.bin", "GS ( L")])
def test_tux_images_are_drawn_where_the_result_says(name, command):
    result = render(capture(name))
    printed = ink(result.image)

    assert [image.command for image in result.images] == [command] * 4
    sizes = [(image.width, image.height) for image in result.images]
    assert sizes[1] == (sizes[0][0] * 2, sizes[0][1]) and sizes[2] == (sizes[0][0], sizes[0][1] * 2)
    inside = 0
    for image in result.images:
        left, top, right, bottom = image.box
        share = printed[top:bottom, left:right].mean()
        assert 0.1 < share < 0.8, f"{image}: {share:.2f} of the box is black"
        inside += printed[top:bottom, left:right].sum()
        assert not printed[top:bottom, right:].any()  # nothing beside the image on its rows
    assert printed.sum() > inside  # the captions are printed too, outside the images


def test_raster_of_bit_image_capture_is_drawn_dot_for_dot():
    job = capture("bit-image.bin")
    result = render(job)
    printed = ink(result.image)
    for (mode, bits), image in zip(raster_images(job), result.images, strict=True):
        expected = np.repeat(np.repeat(bits, 2 if mode & 2 else 1, axis=0), 2 if mode & 1 else 1, axis=1)
        left, top, right, bottom = image.box
        assert np.array_equal(printed[top:bottom, left:right], expected)


def test_text_of_text_size_capture():
    result = render(capture("text-size.bin"))
    assert result.lines[:3] == ["", "Change height & width", "12345678"]
    assert "The quick brown fox jumps over the lazy dog." in result.lines
    assert "Hello world!" in result.lines
    assert result.lines[-3:] == ["Largest possible text:", "Hello", "world!"]
    assert len(result.cuts) == 1
    assert result.complete and not result.unprinted


def test_demo_capture_text_cuts_images_and_symbols():
    job = capture("demo.bin")
    result = render(job)
    assert result.lines[:2] == ["Hello world", "ABC"]
    assert result.lines.count("ABCDEFGHIJabcdefghijk") == 32  # every ESC ! print mode
    assert [cut.kind for cut in result.cuts] == ["full" if m == b"A" else "partial"
                                                 for m in re.findall(rb"\x1dV([AB])", job)]
    assert len(result.cuts) == 14
    assert {image.command for image in result.images} == {"GS v 0", "GS ( L"}
    assert [code.data for code in result.qr_codes if code.kind == "qr"] == [b"Testing 123"] * 2
    assert result.complete


def test_receipt_reads_back_with_tesseract():
    result = render(capture("receipt-with-logo.bin"))
    assert "SALES INVOICE" in result.lines
    assert result.images[0].command == "GS ( L"
    assert abs((result.images[0].box[0] + result.images[0].box[2]) / 2 - result.image.width / 2) <= 2
    text = pytesseract.image_to_string(result.image, lang="eng", config="--psm 6")
    for words in ("ExampleMart", "SALES INVOICE", "Subtotal", "12.95", "Thank you for shopping"):
        assert words in text


def test_code_pages_decode_the_vietnamese_line():
    result = render(capture("character-encodings.bin"))
    vietnamese = result.lines.index("Vietnamese:") + 1
    paragraph = "".join(result.lines[vietnamese : vietnamese + 3])
    assert paragraph == (
        "Tiếng Việt, còn gọi tiếng Việt Nam hay Việt ngữ, là ngôn ngữ của người Việt (người Kinh) "
        "và là ngôn ngữ chính thức tại Việt Nam."
    )
    assert "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία" in result.lines
    assert "TCVN-3-1" in result.code_pages


def test_character_tables_print_every_known_table():
    result = render(capture("character-tables.bin"))
    assert result.lines[0] == "Table 0: CP437"
    assert result.lines[5] == "8 " + bytes(range(0x80, 0xA0)).decode("cp437")
    assert {"CP437", "CP1258", "TCVN-3-1", "TCVN-3-2"} <= set(result.code_pages)
    tcvn = result.lines.index("Table 30: TCVN-3-1")
    assert result.lines[tcvn + 2].startswith("A ????????ăâêôơưđ")
    assert result.lines[tcvn + 4].startswith("E ?ỏõóọồổỗốộờởỡớợù")
    assert result.complete


def test_barcodes_are_drawn_and_scan():
    result = render(capture("barcode.bin"))
    printed = [code for code in result.barcodes if code.printed]
    refused = [code for code in result.barcodes if not code.printed]
    assert len(printed) > 30
    assert any("check digit" in code.details["reason"] for code in refused)
    for code in (code for code in printed if code.details["height"] >= 16):
        left, top, right, bottom = code.box
        crop = result.image.crop((left - 30, top - 4, right + 30, bottom + 4))
        found = zxingcpp.read_barcodes(crop, formats=zxingcpp.BarcodeFormat.LinearCodes)
        assert found, code
        text = code.details["text"]
        if code.kind in ("code39", "code93", "code128", "itf", "codabar"):
            assert found[0].text == text
        else:  # EAN/UPC: the reader adds the check digit and may read EAN-13 0… as UPC-A
            assert found[0].text.lstrip("0").startswith(text.lstrip("0")[:6])



def test_command_line_draws_a_saved_job(tmp_path, capsys):
    from devices.printer.escpos_render import main

    job = tmp_path / "receipt.bin"
    job.write_bytes(capture("receipt-with-logo.bin"))
    assert main([str(job), "--paper", "58"]) == 0
    out = capsys.readouterr().out
    assert "SALES INVOICE" in out and "1 cuts" in out
    with Image.open(tmp_path / "receipt.png") as png:
        assert png.width == 384 + 64
    assert main([str(tmp_path / "missing.bin")]) == 2
