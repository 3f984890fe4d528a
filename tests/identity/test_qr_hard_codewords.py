"""QR symbol structure and Reed–Solomon with erasures, checked against symbols drawn by the
``qrcode`` package (an independent encoder) and against ISO/IEC 18004's published constants."""

from __future__ import annotations

import random

import numpy as np
import pytest
import qrcode
import zxingcpp

from devices.qr_reader import qr_codewords, qr_layout, reed_solomon
from devices.qr_reader.rectify import clean_symbol

LEVELS = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
          "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}
CARD = "079203004512|183456789|Đặng Thị Ước|05032003|Nữ|Bản Nà Hẩu, Xã Mường Lống, Tỉnh Nghệ An|17102023"


def symbol(data: bytes | str, version: int, level: str = "M", mask: int = 0) -> np.ndarray:
    code = qrcode.QRCode(version=version, error_correction=LEVELS[level], border=0, mask_pattern=mask)
    code.add_data(data)
    code.make(fit=False)
    return np.array(code.get_matrix(), dtype=np.uint8)


def test_published_format_and_version_words():
    assert qr_layout.format_word("M", 0) == 0b101010000010010
    assert qr_layout.format_word("L", 0) == 0b111011111000100
    assert qr_layout.format_word("H", 7) == 0b000100000111011
    assert qr_layout.version_word(7) == 0x07C94
    assert qr_layout.version_word(40) == 0x28C69
    assert qr_codewords.decode_format(qr_layout.format_word("Q", 5)) == ("Q", 5)


@pytest.mark.parametrize("version", [1, 2, 6, 7, 8, 10, 14])
def test_fixed_modules_and_format_cells_match_an_independent_encoder(version):
    for mask in (0, 3, 6):
        drawn = symbol(b"x", version, "M", mask)
        lay = qr_layout.layout(version)
        assert lay.size == drawn.shape[0]
        assert np.array_equal(drawn[lay.known], lay.dark[lay.known])
        cells = qr_layout.format_mask(lay.size)
        written = qr_layout.with_format(np.zeros_like(drawn), qr_layout.format_word("M", mask))
        assert np.array_equal(written[cells], drawn[cells])
        assert qr_layout.best_format(drawn.astype(float))[0] == qr_layout.format_word("M", mask)


def test_fixed_modules_cover_the_version_information_from_version_7():
    assert not qr_layout.layout(6).known[0:6, 41 - 11:41 - 8].any()
    assert qr_layout.layout(7).known[0:6, 45 - 11:45 - 8].all()


@pytest.mark.parametrize("version,level,mask,text", [
    (7, "M", 2, CARD),
    (8, "M", 5, CARD + "||||"),
    (3, "L", 1, "0123456789012345678901234567890123"),  # numeric mode
    (2, "Q", 4, "HELLO WORLD $%*+-./:"),  # alphanumeric mode
    (10, "H", 7, "Tiền " * 15),
])
def test_messages_read_back_from_symbols_of_every_mode(version, level, mask, text):
    drawn = symbol(text.encode("utf-8") if version >= 7 else text, version, level, mask)
    word = qr_layout.format_word(level, mask)
    assert list(qr_codewords.read_message(drawn.astype(float), version, [word])) == [text.encode("utf-8")]


def test_reed_solomon_corrects_errors_and_erasures_up_to_capacity():
    rng = random.Random(7)
    for _ in range(150):
        ec = rng.choice([10, 16, 18, 22, 28])
        data = [rng.randrange(256) for _ in range(rng.randint(8, 60))]
        block = reed_solomon.rs_encode(data, ec)
        erased = rng.randint(0, ec)
        errors = rng.randint(0, (ec - erased) // 2)
        positions = rng.sample(range(len(block)), erased + errors)
        damaged = list(block)
        for position in positions:
            damaged[position] ^= rng.randrange(1, 256)
        assert reed_solomon.rs_correct(damaged, ec, tuple(positions[:erased])) == block


def test_reed_solomon_beyond_capacity_does_not_invent_the_original():
    rng = random.Random(3)
    refused = 0
    for _ in range(100):
        block = reed_solomon.rs_encode([rng.randrange(256) for _ in range(31)], 18)
        damaged = list(block)
        for position in rng.sample(range(len(block)), 14):
            damaged[position] ^= rng.randrange(1, 256)
        fixed = reed_solomon.rs_correct(damaged, 18)
        assert fixed != block
        refused += fixed is None
    assert refused > 90  # a wrong "correction" needs a nearby codeword: rare


def test_erasing_correct_codewords_costs_nothing_but_capacity():
    block = reed_solomon.rs_encode(list(b"Nguyen Van A|01012000"), 10)
    assert reed_solomon.rs_correct(block, 10, (0, 1, 2, 3, 4, 5)) == block


def test_uncertain_modules_become_erasures_and_save_a_symbol_zxing_cannot_read():
    """GIVEN a symbol with a dozen codewords of one block damaged (more than Reed–Solomon corrects
    as errors) where the estimate was unsure (darkness near 0.5)
    THEN zxing-cpp cannot read the clean picture of the estimate, plain error correction cannot
    either, and declaring the unsure codewords erased reads it."""
    version, mask = 7, 2
    drawn = symbol(CARD.encode("utf-8"), version, "M", mask).astype(float)
    rows, cols = qr_codewords.data_cells(version)
    block = qr_codewords.interleaving(version, "M")[1]
    darkness = drawn.copy()
    for index in block[:13]:  # 13 codewords of 49: beyond the 9 errors level M corrects
        row, col = rows[index * 8 + 3], cols[index * 8 + 3]
        darkness[row, col] = 0.55 if drawn[row, col] == 0 else 0.45  # wrong, and unsure
    word = qr_layout.format_word("M", mask)
    picture = clean_symbol(darkness, version, word)
    assert not zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormat.QRCode)
    assert list(qr_codewords.read_message(darkness, version, [word], erasure_steps=(0,))) == []
    assert list(qr_codewords.read_message(darkness, version, [word])) == [CARD.encode("utf-8")]


def test_pinned_modules_are_the_corrected_blocks_modules():
    version, mask = 7, 3
    drawn = symbol(CARD.encode("utf-8"), version, "M", mask)
    word = qr_layout.format_word("M", mask)
    corrected = qr_codewords.correct_blocks(drawn.astype(float), version, word)
    corrected[2] = None
    known, dark = qr_codewords.pinned_modules(version, word, corrected)
    assert np.array_equal(dark[known], drawn[known])
    assert 0.6 < known.sum() / (qr_codewords.data_cells(version)[0].size) < 0.8


@pytest.mark.parametrize("data,problem", [
    (bytes([0b01000000, 0xFF]), "runs past"),  # byte segment longer than the data
    (bytes([0b10110000, 0x00]), "unsupported"),  # a mode the kiosk never reads
])
def test_broken_data_streams_are_refused(data, problem):
    with pytest.raises(ValueError, match=problem):
        qr_codewords.parse_message(data, 7)


def test_eci_markers_are_skipped():
    # ECI 26 (UTF-8), then byte mode with 2 bytes "Ti", then the terminator
    bits = "0111" + "00011010" + "0100" + "00000010" + "01010100" + "01101001" + "0000"
    bits += "0" * (-len(bits) % 8)
    data = int(bits, 2).to_bytes(len(bits) // 8, "big")
    assert qr_codewords.parse_message(data, 5) == b"Ti"
