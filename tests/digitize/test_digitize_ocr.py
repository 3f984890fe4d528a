"""Real Tesseract on pages rendered here, through the whole cleaning, and the searchable PDF."""

import subprocess

import pikepdf
import pytest
from digitize_helpers import on_table, render, scanned, truth

from kiosk.bench.ocr import cer, normalise
from kiosk.digitize.cleaning import clean_page
from kiosk.digitize.ocr import check_tesseract, recognize
from kiosk.digitize.pdf import PdfPage, build_pdf
from kiosk.digitize.errors import OcrUnavailable


@pytest.fixture(scope="module")
def page():
    return render()


@pytest.fixture(scope="module")
def photo_result(page):
    cleaned = clean_page(on_table(page))
    return cleaned, recognize(cleaned.ocr)


@pytest.mark.parametrize(
    "make, limit",
    [
        (lambda p: p, 0.005),
        (scanned, 0.01),
        (lambda p: scanned(p, angle=-3).rotate(180), 0.01),
    ],
    ids=["clean", "scan", "scan-upside-down"],
)
def test_pages_are_read_accurately(page, make, limit):
    result = recognize(clean_page(make(page)).ocr)
    assert cer(result.text, truth()) <= limit, result.text


def test_photo_is_read_accurately(photo_result):
    _cleaned, result = photo_result
    assert cer(result.text, truth()) <= 0.01, result.text


def test_stacked_diacritics_survive(photo_result):
    _cleaned, result = photo_result
    text = normalise(result.text)
    for phrase in ("Tập trung", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA", "Ủy ban", "Phước Lộc"):
        assert phrase in text


def test_words_have_boxes_and_confidences(photo_result):
    cleaned, result = photo_result
    assert len(result.words) > 40
    width, height = cleaned.ocr.size
    for word in result.words:
        left, top, w, h = word.box
        assert 0 <= left < width and 0 <= top < height and w > 0 and h > 0
        assert 0 <= word.confidence <= 100
    assert result.mean_confidence > 80


def test_pdf_text_layer_holds_the_recognised_words(photo_result, tmp_path):
    cleaned, result = photo_result
    path = tmp_path / "page.pdf"
    path.write_bytes(build_pdf([PdfPage(cleaned.view, result, cleaned.ocr_scale)]))
    extracted = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert normalise(extracted) == normalise(result.text)
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 1
        meta = pdf.open_metadata()
        assert meta.get("pdfaid:part") == "2" and meta.get("pdfaid:conformance") == "B"
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
        font = pdf.pages[0].Resources.Font.F1
        assert font.DescendantFonts[0].FontDescriptor.get("/FontFile2") is not None


def test_missing_language_is_reported():
    with pytest.raises(OcrUnavailable, match="xyz"):
        check_tesseract("vie+xyz")
