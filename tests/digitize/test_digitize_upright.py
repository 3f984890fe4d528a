"""Which way up: sparse pages (a few lines of large Vietnamese type) come out upright and readable.

Pages are drawn here; the camera simulator's built-in sample page is one of them. Every name is
invented.
"""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from devices.camera.sim import SAMPLE_LINES, sample_page
from kiosk.bench.ocr import cer
from kiosk.digitize.cleaning import binarize, clean_page, flatten, upright_evidence, upside_down
from kiosk.digitize.ocr import recognize

FONTS = "/usr/share/fonts/truetype/dejavu/"

SPARSE = {
    "serif-3-lines": ("DejaVuSerif.ttf", 44, ("Hồ sơ đề nghị cấp bản sao", "Người nộp: Nguyễn Thị Hường",
                                             "Ủy ban nhân dân xã Phước Lộc")),
    "sans-2-lines": ("DejaVuSans.ttf", 60, ("GIẤY XÁC NHẬN", "Trương Quốc Việt")),
    "sans-4-lines": ("DejaVuSans.ttf", 38, ("Đơn đề nghị đăng ký thường trú", "Họ và tên: Đặng Ngọc Ánh",
                                            "Nơi ở hiện tại: thôn Đông Xuyên", "Ngày nộp: 14/02/2025")),
}


def sparse_page(font: str, size: int, lines: tuple[str, ...], paper: int = 255) -> Image.Image:
    page = Image.new("L", (1240, 1754), paper)
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(FONTS + font, size)
    for i, line in enumerate(lines):
        draw.text((140, 220 + int(i * size * 1.7)), line, font=face, fill=25)
    return page


def under_a_lamp(page: Image.Image) -> Image.Image:
    """Greyish paper, brighter in one corner, with a little grain: what a document camera sees."""
    arr = np.asarray(page, np.float32)
    h, w = arr.shape
    yy, xx = np.mgrid[0:h, 0:w]
    light = 0.82 + 0.12 * (1 - np.hypot(xx / w, yy / h) / np.sqrt(2))
    arr = arr * light + np.random.default_rng(3).normal(0, 2.5, arr.shape)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def text_of(lines) -> str:
    return " ".join(lines)


@pytest.mark.parametrize("turned", [0, 180])
def test_camera_sample_page_is_read_upright(turned):
    """GIVEN the simulated camera's sample page, as it is or upside down WHEN cleaned and read THEN
    it is upright and the text is right."""
    cleaned = clean_page(sample_page().rotate(turned))
    assert cleaned.rotation == turned
    result = recognize(cleaned.ocr)
    assert cer(result.text, text_of(SAMPLE_LINES)) <= 0.02, result.text


@pytest.mark.parametrize("name", sorted(SPARSE))
@pytest.mark.parametrize("turned", [0, 180])
def test_sparse_vietnamese_page_comes_out_upright(name, turned):
    """GIVEN a page with a few lines of large, heavily accented type under uneven light WHEN it is
    cleaned, upright or turned over THEN it is turned upright and read correctly."""
    font, size, lines = SPARSE[name]
    picture = under_a_lamp(sparse_page(font, size, lines)).rotate(turned)
    cleaned = clean_page(picture)
    assert cleaned.rotation == turned
    result = recognize(cleaned.ocr)
    assert cer(result.text, text_of(lines)) <= 0.03, result.text


@pytest.mark.parametrize("turned", [0, 180])
def test_page_without_evidence_is_kept_as_it_came(turned):
    """GIVEN a line that looks the same either way up (no accents, ascenders or descenders)
    WHEN cleaned THEN the page is not turned."""
    picture = sparse_page("DejaVuSans.ttf", 56, ("ONO XOXO NOON",)).rotate(turned)
    assert clean_page(picture).rotation == 0


def test_weak_evidence_does_not_turn_the_page():
    assert not upside_down(above=0, below=0)
    assert not upside_down(above=10, below=13)
    assert not upside_down(above=1, below=3)
    assert upside_down(above=10, below=30)
    assert upside_down(above=0, below=5)


def test_accents_count_above_the_line():
    """GIVEN one line of vowels with accents above and nothing below WHEN measured level THEN all
    the evidence is above, and turned over it is all below."""
    page = sparse_page("DejaVuSans.ttf", 60, ("ấu ồ ẵ ẽ ẩm ữ ờ óa",))
    ink = binarize(np.asarray(page))
    above, below = upright_evidence(ink)
    assert above >= 8 and below == 0
    assert upright_evidence(np.ascontiguousarray(ink[::-1, ::-1])) == (below, above)


def test_sparse_page_keeps_its_ink_dark_and_paper_white():
    """GIVEN one short word on a large greyish, grainy page (far less than 1 % ink) WHEN the light is
    flattened THEN the word stays black and the paper white (no shade of paper folded into ink)."""
    page = sparse_page("DejaVuSerif.ttf", 40, ("Trang mẫu",))
    word = np.asarray(page) < 100
    grey = np.asarray(page, np.float32) * 0.92 + np.random.default_rng(0).normal(0, 3, word.shape)
    flat = flatten(np.clip(grey, 0, 255).astype(np.uint8))
    assert np.median(flat[word]) < 60
    assert np.percentile(flat[~word], 5) > 200


def test_two_paper_shades_are_not_taken_for_ink():
    """GIVEN a page half white and half a slightly darker paper, with a little text WHEN binarized
    THEN only the text is ink, not the darker half of the sheet."""
    page = sparse_page("DejaVuSerif.ttf", 40, ("Trang mẫu của máy ảnh",))
    arr = np.asarray(page, np.float32)
    arr[:, : arr.shape[1] // 2] *= 0.85
    ink = binarize(arr.astype(np.uint8)) > 0
    word = np.asarray(page) < 128
    assert ink.mean() < 0.02
    assert ink[word].mean() > 0.8
