"""Tesseract run two ways (in this process, or as the command), pages read in bands, faint words doubted.

Real Tesseract on pages rendered here; every name is invented.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from digitize_helpers import render, scanned, truth
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from kiosk.bench.ocr import cer, normalise
from kiosk.digitize import ocr
from kiosk.digitize.cleaning import clean_page
from kiosk.digitize.errors import OcrUnavailable


@pytest.fixture(scope="module")
def cleaned():
    return clean_page(scanned(render()))


@pytest.fixture(scope="module")
def pool():
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


@pytest.mark.parametrize("name", ocr.ENGINES)
def test_both_engines_read_the_page(cleaned, name, monkeypatch):
    """GIVEN a cleaned scan WHEN read in this process or by the tesseract command THEN both read it
    accurately, with boxes inside the page."""
    monkeypatch.setenv("KIOSK_OCR_ENGINE", name)
    assert ocr.engine() == name
    result = ocr.recognize(cleaned.ocr)
    assert cer(result.text, truth()) <= 0.01, result.text
    width, height = cleaned.ocr.size
    assert all(0 <= w.box[0] < width and 0 <= w.box[1] < height for w in result.words)


def test_unknown_engine_is_refused(monkeypatch):
    monkeypatch.setenv("KIOSK_OCR_ENGINE", "abbyy")
    with pytest.raises(OcrUnavailable, match="KIOSK_OCR_ENGINE"):
        ocr.engine()


def test_missing_language_data_is_named():
    with pytest.raises(OcrUnavailable, match="xyz"):
        ocr.tessdata_for("vie+xyz")


def test_page_in_bands_reads_as_the_whole(cleaned, pool):
    """GIVEN a cleaned page WHEN read as two bands at once THEN the text and the word positions
    are those of the whole page read at once."""
    cuts = ocr.band_cuts(cleaned.ocr, 2)
    assert len(cuts) == 1 and 0 < cuts[0] < cleaned.ocr.height
    pixels = np.asarray(cleaned.ocr)
    assert (pixels[cuts[0] - 2 : cuts[0] + 3] >= 128).all(), "the cut runs between lines"
    whole = ocr.recognize(cleaned.ocr)
    banded = ocr.recognize_in_bands(cleaned.ocr, parts=2, pool=pool)
    assert normalise(banded.text) == normalise(whole.text)
    assert banded.size == whole.size
    for a, b in zip(sorted(whole.words, key=lambda w: w.box[:2]), sorted(banded.words, key=lambda w: w.box[:2])):
        assert a.text == b.text
        assert abs(a.box[0] - b.box[0]) <= 2 and abs(a.box[1] - b.box[1]) <= 2
    lines = [w.line for w in banded.words]
    assert lines == sorted(lines), "reading order is kept across the cut"


def test_blank_page_is_not_cut():
    assert ocr.band_cuts(Image.new("L", (800, 1000), 255), 2) == []


def test_faint_word_is_read_and_doubted():
    """GIVEN a page with a clear line and a word rubbed out to a blur WHEN cleaned and read THEN the
    rubbed-out word is still found, with a confidence low enough to be highlighted, and the clear
    words are not doubted."""
    page = Image.new("L", (1000, 500), 250)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 34)
    draw.text((70, 90), "Nghề nghiệp: giáo viên", font=font, fill=20)
    draw.text((70, 200), "Ghi chú mờ", font=font, fill=20)
    box = (70, 200, 330, 250)
    page.paste(page.crop(box).filter(ImageFilter.GaussianBlur(3)), box[:2])
    result = ocr.recognize(clean_page(page).ocr)
    faint = [w for w in result.words if w.box[1] > 150 * result.size[1] / page.height]
    clear = [w for w in result.words if w not in faint]
    assert faint and all(w.low for w in faint), [(w.text, w.confidence) for w in result.words]
    assert "giáo" in normalise(result.text) and not any(w.low for w in clear)
