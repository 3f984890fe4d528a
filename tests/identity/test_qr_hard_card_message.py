"""Reading symbols blurred over most of a module: the light-or-dark pull on the module estimate,
the bits every card's message fixes, realigning on known modules, and a frame only the card
message stage reads. Symbols and frames are drawn here (identity_cards) and read by the real
pipeline."""

from __future__ import annotations

import random

import numpy as np
from identity_cards import blurry_pose, card_frame, gray, payload, person, qr_modules

from devices.qr_reader import blur_model, card_message, qr_layout, rectify
from devices.qr_reader.decode import QrDecoder
from kiosk.identity import parse_cccd

CARD = payload(person(random.Random(31)))


def is_cccd(data: bytes) -> bool:
    parse_cccd(data)
    return True


def symbol(text: str) -> tuple[np.ndarray, int, int]:
    """The modules (no quiet zone), the version and the format word of a card's symbol."""
    modules = qr_modules(text)[4:-4, 4:-4]
    version = (modules.shape[0] - 17) // 4
    return modules, version, qr_layout.best_format(modules.astype(np.float64))[0]


def test_the_card_message_pins_agree_with_a_real_symbol():
    modules, version, word = symbol(CARD)
    length = len(CARD.encode("utf-8"))
    assert length in card_message.lengths(version, "M")
    known, dark = card_message.pins(length, version, word)
    assert known.sum() > 80  # header, ID digits, separator, terminator and padding
    assert np.array_equal(dark[known], modules[known])
    assert card_message.likely_lengths(modules.astype(np.float64), version, word, 1) == [length]


def test_a_wrong_length_disagrees_with_the_symbol():
    modules, version, word = symbol(CARD)
    length = len(CARD.encode("utf-8"))
    other = next(n for n in card_message.lengths(version, "M") if abs(n - length) >= 2)
    known, dark = card_message.pins(other, version, word)
    assert not np.array_equal(dark[known], modules[known])


def test_capacities_follow_the_standard():
    # ISO/IEC 18004 table 7, byte mode, level M
    assert card_message.byte_capacity(6, "M") == 106
    assert card_message.byte_capacity(7, "M") == 122
    assert card_message.byte_capacity(10, "M") == 213
    assert card_message.lengths(7, "M") == range(107, 123)


def heavy_picture(seed: int, sigma: float) -> tuple[np.ndarray, np.ndarray, int]:
    modules = qr_modules(CARD)[4:-4, 4:-4].astype(np.float64)
    version = (modules.shape[0] - 17) // 4
    framed = np.pad(modules, blur_model.QUIET)
    rng = np.random.default_rng(seed)
    side = framed.shape[0] * blur_model.MODEL_PX
    picture = 190 - 110 * blur_model.spread(framed, blur_model.MODEL_PX, sigma) + rng.normal(0, 2.5, (side, side))
    return picture, modules, version


def test_the_light_or_dark_pull_leaves_fewer_wrong_modules():
    """GIVEN a symbol blurred over 0.95 of a module and noisy
    THEN the pulled estimate has fewer wrong modules than the plain least-squares one."""
    picture, modules, version = heavy_picture(7, 0.95)
    model = blur_model.ModuleModel(version, picture, 0.95)
    plain = model.solve()
    assert plain is not None
    pulled = model.binarise(plain)
    wrong_plain = int(np.sum((plain > 0.5) != (modules > 0.5)))
    wrong_pulled = int(np.sum((pulled > 0.5) != (modules > 0.5)))
    assert wrong_plain > 0
    assert wrong_pulled < wrong_plain
    assert model.misfit(pulled) <= model.misfit(plain)


def test_binarise_needs_an_estimate_first():
    picture, _modules, version = heavy_picture(8, 0.8)
    model = blur_model.ModuleModel(version, picture, 0.8)
    try:
        model.binarise(np.full((25, 25), 0.5))
    except ValueError as err:
        assert "solve()" in str(err)
    else:
        raise AssertionError("binarise ran without an estimate")


def test_realigning_on_known_modules_finds_a_shifted_symbol():
    """GIVEN a fit whose outline is half a module off
    THEN realigning on the symbol's true modules brings it back within a fifth of a module."""
    modules = qr_modules(CARD)[4:-4, 4:-4].astype(np.float64)
    version = (modules.shape[0] - 17) // 4
    framed = np.pad(modules, blur_model.QUIET)
    px = 3
    image = (200 - 120 * blur_model.spread(framed, px, 0.6)).astype(np.float32)
    true_warp = np.array([[1.5, 0, 0.25], [0, 1.5, 0.25], [0, 0, 1]])  # template px 2 -> image px 3
    shifted = true_warp @ np.array([[1, 0, 1.0], [0, 1, -0.6], [0, 0, 1]])
    fit = rectify.SymbolFit(version, shifted, 2, 0.9, image)
    moved = rectify.realign(fit, np.ones_like(modules, bool), modules, 0.6)
    truth = rectify.SymbolFit(version, true_warp, 2, 1.0, image).corners()
    assert np.abs(fit.corners() - truth).max() > 1.0
    assert np.abs(moved.corners() - truth).max() < 0.2 * px


def test_a_frame_blurred_over_most_of_a_module_is_read_with_the_card_message():
    """GIVEN a lobby frame (blurry_pose) at 2.2 pixels per module blurred by 0.94 of a module,
    that the plain symbol fit cannot read
    THEN the card message stage reads it, byte-exact."""
    seed = 2023
    text = payload(person(random.Random(seed)))
    frame = gray(card_frame(text, **blurry_pose(seed)))
    result = QrDecoder().decode(frame, accept=is_cccd)
    assert result.accepted is not None
    assert result.accepted.data == text.encode("utf-8")
    assert result.accepted.step == "symbol-fit-card"

