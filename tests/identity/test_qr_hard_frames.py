"""Small, blurred, tilted codes: locating the symbol, aligning its fixed parts, estimating every
module from a model of the blur, and reading the estimate. Frames are drawn here (identity_cards)
and read by the real pipeline: zxing-cpp, OpenCV and the Reed–Solomon reader, no stand-ins."""

from __future__ import annotations

import random

import numpy as np
import pytest
from identity_cards import card_frame, gray, hard_pose, payload, person, qr_modules

from devices.qr_reader import blur_model, qr_layout, rectify
from devices.qr_reader.decode import QrDecoder, read_zxing
from devices.qr_reader.locate import symbol_quad, texture_peaks
from kiosk.identity import parse_cccd

CARD = payload(person(random.Random(31)))
SMALL = {"seed": 4, "module_px": 2.3, "angle": 27.0, "tilt": 0.12}


def is_cccd(data: bytes) -> bool:
    parse_cccd(data)
    return True


def true_corners(text: str, **pose) -> np.ndarray:
    """The symbol's corners, from zxing-cpp on the same frame drawn sharp (same seed, same place)."""
    sharp = gray(card_frame(text, **pose))
    found = read_zxing(sharp)
    assert found, "the sharp frame must be readable"
    p = found[0].position
    return np.float32([[c.x, c.y] for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)])


def nearest_distances(found: np.ndarray, truth: np.ndarray) -> np.ndarray:
    return np.array([np.min(np.linalg.norm(truth - corner, axis=1)) for corner in found])


@pytest.fixture(scope="module")
def blurred():
    return gray(card_frame(CARD, blur=1.5, noise=3, **SMALL))


def test_the_blurred_frame_defeats_a_plain_reader(blurred):
    assert not any(r.valid for r in read_zxing(blurred))


def test_texture_peak_and_outline_find_the_symbol(blurred):
    truth = true_corners(CARD, **SMALL)
    x, y, size = texture_peaks(blurred)[0]
    assert np.linalg.norm(truth.mean(axis=0) - [x, y]) < 15
    quad = symbol_quad(blurred, x, y, size)
    assert quad is not None
    module = np.linalg.norm(truth[0] - truth[1]) / qr_modules(CARD).shape[0]
    assert nearest_distances(quad, truth).max() < 3 * module


def test_fit_finds_the_version_and_the_corners(blurred):
    truth = true_corners(CARD, **SMALL)
    x, y, size = texture_peaks(blurred)[0]
    fit = rectify.fit_symbol(blurred, symbol_quad(blurred, x, y, size))
    assert fit is not None
    assert fit.size == qr_modules(CARD).shape[0] - 8
    module = np.linalg.norm(truth[0] - truth[1]) / fit.size
    assert nearest_distances(fit.corners(), truth).max() < 1.5 * module


def test_the_model_recovers_every_module_of_a_blurred_symbol():
    """GIVEN a symbol drawn at 3 pixels per module, blurred by 0.7 module, dimmed and noisy
    THEN the estimate from the model matches every module (the fixed parts held as known)."""
    modules = qr_modules(CARD)[4:-4, 4:-4].astype(np.float64)
    version = (modules.shape[0] - 17) // 4
    framed = np.pad(modules, blur_model.QUIET)
    rng = np.random.default_rng(3)
    side = framed.shape[0] * blur_model.MODEL_PX
    picture = 200 - 120 * blur_model.spread(framed, blur_model.MODEL_PX, 0.7) + rng.normal(0, 3, (side, side))
    assert 0.7 in blur_model.likely_blurs(version, picture)[:2]
    darkness = blur_model.ModuleModel(version, picture, 0.7).solve()
    assert darkness is not None
    assert np.array_equal(darkness > 0.5, modules > 0.5)


def test_spread_and_gather_are_adjoint():
    rng = np.random.default_rng(5)
    modules = rng.random((29, 29))
    pixels = rng.random((87, 87))
    left = float(np.sum(blur_model.spread(modules, 3, 0.6) * pixels))
    right = float(np.sum(modules * blur_model.gather(pixels, 3, 0.6)))
    assert abs(left - right) < 1e-9 * abs(left)
    matrix = blur_model.blur_matrix(29, 3, 0.6)
    assert np.allclose(matrix @ modules @ matrix.T, blur_model.spread(modules, 3, 0.6))


def test_clean_symbol_of_a_true_estimate_reads_back():
    modules = qr_modules(CARD)[4:-4, 4:-4].astype(np.float64)
    version = (modules.shape[0] - 17) // 4
    word = qr_layout.best_format(modules)[0]
    found = read_zxing(rectify.clean_symbol(modules, version, word))
    assert [r.bytes for r in found] == [CARD.encode("utf-8")]


@pytest.mark.parametrize("seed", [205, 210])
def test_hard_frames_are_read_only_by_the_symbol_fit(seed):
    """GIVEN lobby frames (hard_pose: about 2.5 pixels per module, blurred over 0.7 of a module)
    that the frame and crop passes cannot read
    THEN the pipeline reads the card, byte-exact, in its symbol-fit step."""
    text = payload(person(random.Random(seed)))
    frame = gray(card_frame(text, **hard_pose(seed)))
    result = QrDecoder().decode(frame, accept=is_cccd)
    assert result.accepted is not None
    assert result.accepted.data == text.encode("utf-8")
    assert result.accepted.step == "symbol-fit"


def test_erasures_read_what_zxing_cannot():
    """GIVEN a lobby frame, estimated with a blur of 0.8 of a module
    THEN zxing-cpp cannot read the clean estimate, and Reed–Solomon with erasures can."""
    seed = 217
    text = payload(person(random.Random(seed)))
    frame = gray(card_frame(text, **hard_pose(seed)))
    decoder = QrDecoder()
    quad = decoder.symbol_quads(frame, read_zxing(frame, errors=True))[0]
    fit = rectify.fit_symbol(frame, quad)
    assert fit is not None
    zxing_stage, *erasure_stages = list(rectify.read_fit(fit, sigmas=(0.8,)))
    assert text.encode("utf-8") not in [data for data, _how in zxing_stage]
    assert (text.encode("utf-8"), "reed-solomon") in [item for stage in erasure_stages for item in stage]


def test_codes_already_read_and_blank_frames_are_not_fitted():
    url = gray(card_frame("https://dichvucong.gov.vn/p/home", **SMALL))
    assert any(r.valid for r in read_zxing(url))
    assert QrDecoder().symbol_quads(url, read_zxing(url, errors=True)) == []
    blank = np.full((720, 1280), 128, np.uint8)
    assert texture_peaks(blank) == []
    assert QrDecoder().symbol_quads(blank) == []


def test_a_code_of_another_version_is_not_forced_into_a_card_version():
    """A small blurred code of version 1 does not align well enough as any CCCD version (5–10)."""
    frame = gray(card_frame("HELLO 12345", seed=6, module_px=2.5, blur=1.4))
    quads = QrDecoder().symbol_quads(frame, read_zxing(frame, errors=True))
    assert quads
    assert all(rectify.fit_symbol(frame, quad) is None for quad in quads)
    assert rectify.fit_symbol(frame, quads[0], versions=(1, 2)) is not None
