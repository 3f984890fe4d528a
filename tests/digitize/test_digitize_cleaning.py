"""Page cleaning on pages rendered here: orientation, skew, the sheet's outline, light, text size."""

import numpy as np
import pytest
from digitize_helpers import darker, on_table, render, scanned
from PIL import Image

from kiosk.digitize.cleaning import TARGET_X_HEIGHT, clean_page, flatten, to_gray
from kiosk.digitize.sheet import find_sheet
from kiosk.digitize.errors import UnreadableImage


@pytest.fixture(scope="module")
def page():
    return render()


@pytest.mark.parametrize("turned, expected", [(0, 0), (90, 270), (180, 180), (270, 90)])
def test_quarter_turns_are_undone(page, turned, expected):
    """GIVEN a page turned on its side or upside down WHEN cleaned THEN it is turned back upright."""
    cleaned = clean_page(scanned(page).rotate(turned, expand=True))
    assert cleaned.rotation == expected
    assert cleaned.view.width > cleaned.view.height  # this test page is wider than tall when upright


@pytest.mark.parametrize("angle", [-6.0, -2.5, 1.5, 4.0])
def test_skew_is_measured(page, angle):
    cleaned = clean_page(page.rotate(angle, resample=Image.BICUBIC, fillcolor=255))
    assert cleaned.skew == pytest.approx(-angle, abs=0.25)


def test_photographed_sheet_is_found_and_straightened(page):
    photo = on_table(page)
    cleaned = clean_page(photo)
    assert cleaned.outline is not None
    assert cleaned.sheet_touches == 0
    ratio = cleaned.view.width / cleaned.view.height
    assert ratio == pytest.approx(page.width / page.height, rel=0.08)
    # No dark table left inside the straightened page.
    assert np.percentile(np.asarray(cleaned.view.convert("L")), 1) < 80  # ink is still there
    border = np.asarray(cleaned.view.convert("L"))[:, :5]
    assert border.mean() > 200


def test_scan_has_no_sheet_outline(page):
    assert find_sheet(to_gray(np.asarray(scanned(page))))[0] is None


def test_uneven_light_is_flattened(page):
    arr = np.asarray(page, dtype=np.float32)
    ramp = np.linspace(0.35, 1.0, arr.shape[1])[None, :]
    shaded = (arr * ramp).astype(np.uint8)
    flat = flatten(shaded)
    paper = flat[np.asarray(page) > 250]
    assert np.percentile(paper, 10) > 225  # the shadowed side is paper-white again
    assert np.percentile(flat[np.asarray(page) < 50], 50) < 80  # and ink stays dark


def test_text_is_scaled_towards_target_x_height(page):
    big = page.resize((page.width * 2, page.height * 2), Image.BICUBIC)
    cleaned = clean_page(big)
    assert cleaned.ocr_scale < 0.8
    assert cleaned.x_height * cleaned.ocr_scale == pytest.approx(TARGET_X_HEIGHT, rel=0.25)


def test_colour_page_keeps_its_colour_for_people(page):
    rgb = page.convert("RGB")
    stamp = Image.new("RGB", (160, 160), (200, 30, 30))
    rgb.paste(stamp, (900, 300))
    cleaned = clean_page(rgb)
    assert cleaned.view.mode == "RGB"
    assert cleaned.ocr.mode == "L"


def test_dark_page_still_cleans(page):
    cleaned = clean_page(darker(page, 0.3))
    assert np.percentile(np.asarray(cleaned.ocr), 90) > 220


def test_tiny_picture_is_refused():
    with pytest.raises(UnreadableImage):
        clean_page(Image.new("L", (40, 30), 255))
