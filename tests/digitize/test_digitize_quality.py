"""Retake checks: blurred, dark, glare, cut-off and blank pages are flagged; good pages pass."""

import numpy as np
import pytest
from digitize_helpers import LINES, darker, on_table, render, scanned
from PIL import Image, ImageFilter

from kiosk.digitize import quality
from kiosk.digitize.cleaning import clean_page
from kiosk.i18n import catalog


def judge(image):
    return quality.check(image, clean_page(image))


@pytest.fixture(scope="module")
def page():
    return render(LINES * 2)


@pytest.mark.parametrize("make", [lambda p: p, scanned, on_table], ids=["clean", "scan", "photo"])
def test_good_pages_pass(page, make):
    result = judge(make(page))
    assert result.ok, (result.flags, result.measures)


def test_blurred_page_is_flagged(page):
    result = judge(page.filter(ImageFilter.GaussianBlur(4.5)))
    assert quality.BLURRY in result.flags


def test_dark_page_is_flagged(page):
    assert quality.DARK in judge(darker(page, 0.2)).flags


def test_page_cut_through_the_text_is_flagged(page):
    cut = page.crop((page.width // 3, 0, page.width, page.height))
    assert quality.CUT_OFF in judge(cut).flags


def test_photo_with_page_running_out_of_the_frame_is_flagged(page):
    photo = on_table(page)
    cut = photo.crop((0, 0, photo.width, int(photo.height * 0.55)))
    assert quality.CUT_OFF in judge(cut).flags


def test_glare_is_flagged(page):
    photo = np.asarray(on_table(page)).astype(np.float32) * 0.8
    h, w = photo.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    spot = np.exp(-(((xx - w * 0.5) ** 2 + (yy - h * 0.4) ** 2) / (2 * (w * 0.08) ** 2)))
    glared = Image.fromarray(np.clip(photo + spot[..., None] * 400, 0, 255).astype(np.uint8))
    assert quality.GLARE in judge(glared).flags


def test_blank_page_is_flagged_empty():
    result = judge(Image.new("L", (1240, 1754), 248))
    assert result.flags == [quality.EMPTY]


def test_every_retake_message_is_translated():
    vietnamese = catalog("vi")
    for flag, message in quality.RETAKE_MESSAGES.items():
        assert vietnamese.get(message), f"no Vietnamese for the {flag} message"
