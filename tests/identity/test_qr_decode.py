"""The decoding pipeline on card pictures made here: real zxing-cpp and real zbar on real pixels."""

from __future__ import annotations

import random

import numpy as np
import pytest
from identity_cards import card_frame, gray, payload, person, qr_image
from PIL import Image

from devices.qr_reader.decode import (
    MAX_PIXELS,
    ImageError,
    QrDecoder,
    _Zbar,
    load_gray,
    read_zxing,
)
from devices.qr_reader.variants import candidate_regions
from kiosk.identity import CccdError, parse_cccd

VIETNAMESE = [
    "Tiền",  # short strings are the ones zbar's charset guess turns into Shift-JIS mojibake
    "Nguyễn Thị Ước",
    "001199012345||Đặng Ngọc Ánh|05032004|Nữ|Bản Nà Hẩu, Xã Mường Lống, Tỉnh Nghệ An|17102023",
    "Ấp Tân Hưng, Xã Long Điền — Ỷ Ễ Ữ ặ ỹ",
]


def is_cccd(data: bytes) -> bool:
    parse_cccd(data)
    return True


@pytest.fixture(scope="module")
def decoder():
    return QrDecoder()


@pytest.fixture(scope="module")
def citizen_payload():
    return payload(person(random.Random(11)))


@pytest.mark.parametrize("text", VIETNAMESE)
def test_zbar_binary_mode_returns_the_exact_utf8_bytes(text):
    found = _Zbar().read(np.ascontiguousarray(qr_image(text)))
    assert found == [text.encode("utf-8")]


@pytest.mark.parametrize("text", VIETNAMESE)
def test_zxing_returns_the_exact_utf8_bytes(text):
    found = read_zxing(qr_image(text))
    assert [r.bytes for r in found] == [text.encode("utf-8")]
    assert found[0].text == text


@pytest.mark.parametrize("text", VIETNAMESE)
def test_pipeline_text_is_byte_exact_through_either_decoder(decoder, text):
    image = qr_image(text)
    results = decoder.decode_all(image)
    assert [d.data for d in results] == [text.encode("utf-8")]
    assert results[0].text == text


@pytest.mark.parametrize("pose", [
    {},
    {"angle": 33},
    {"angle": 180, "tilt": 0.2},
    {"angle": -70, "tilt": 0.25},
    {"blur": 1.2},
    {"noise": 14},
    {"inverted": True},
    {"light": 0.4},
    {"module_px": 3.0, "blur": 1.0, "noise": 5, "angle": 45},
])
def test_card_frames_in_lobby_conditions_decode(decoder, citizen_payload, pose):
    frame = card_frame(citizen_payload, seed=5, **pose)
    result = decoder.decode(gray(frame), accept=is_cccd)
    assert result.accepted is not None
    assert result.accepted.data == citizen_payload.encode("utf-8")


def test_small_blurred_code_needs_the_crop_or_symbol_steps(decoder, citizen_payload):
    """GIVEN a small, blurred code that one whole-frame zxing pass misses
    THEN the pipeline still reads it, from the code's own region (an enlarged crop or the symbol
    fit), and the crop steps alone read it too."""
    frame = gray(card_frame(citizen_payload, seed=2, module_px=2.6, blur=1.4, noise=3, angle=12))
    assert not any(r.bytes == citizen_payload.encode() for r in read_zxing(frame))
    result = decoder.decode(frame, accept=is_cccd)
    assert result.accepted is not None and result.accepted.data == citizen_payload.encode("utf-8")
    assert result.accepted.step.startswith("crop") or result.accepted.step == "symbol-fit"
    result = QrDecoder(symbol_fit=False).decode(frame, accept=is_cccd)
    assert result.accepted is not None and result.accepted.step.startswith("crop")


def test_candidate_regions_find_the_code(citizen_payload):
    frame = gray(card_frame(citizen_payload, seed=9, module_px=3.0, blur=1.5))
    found = read_zxing(frame, errors=True)
    boxes = candidate_regions(frame)
    assert boxes
    x, y, w, h = boxes[0]
    assert 0.5 < w / h < 2.0
    if found:  # when zxing located the symbol, the best candidate covers it
        p = found[0].position.top_left
        assert x - 20 <= p.x <= x + w + 20 and y - 20 <= p.y <= y + h + 20


def test_accept_skips_codes_that_are_not_cccd(decoder, citizen_payload):
    """A Wi-Fi code beside the card does not stop the search for the card's code."""
    wifi = qr_image("WIFI:S:MotCua;T:WPA;P:matkhau123;;", module_px=4)
    card = qr_image(citizen_payload, module_px=4)
    canvas = np.full((max(wifi.shape[0], card.shape[0]) + 40, wifi.shape[1] + card.shape[1] + 60), 255, np.uint8)
    canvas[20:20 + wifi.shape[0], 20:20 + wifi.shape[1]] = wifi
    canvas[20:20 + card.shape[0], 40 + wifi.shape[1]:40 + wifi.shape[1] + card.shape[1]] = card
    result = decoder.decode(canvas, accept=is_cccd)
    assert result.accepted is not None and result.accepted.data == citizen_payload.encode()
    assert len(decoder.decode_all(canvas)) == 2


def test_url_code_is_found_but_not_accepted(decoder):
    result = decoder.decode(qr_image("https://dichvucong.gov.vn/p/home"), accept=is_cccd)
    assert result.accepted is None
    assert [d.text for d in result.seen] == ["https://dichvucong.gov.vn/p/home"]
    with pytest.raises(CccdError):
        parse_cccd(result.seen[0].data)


def test_blank_frame_has_no_code(decoder):
    frame = np.full((720, 1280), 128, np.uint8)
    result = decoder.decode(frame, accept=is_cccd)
    assert result.accepted is None and not result.found_any and result.steps > 1


def test_deadline_stops_the_pipeline_early(decoder):
    frame = gray(card_frame("not a card", seed=1, module_px=1.2, blur=3))
    full = decoder.decode(frame, accept=lambda data: False)
    early = decoder.decode(frame, accept=lambda data: False, deadline=0.0)
    assert early.steps == 1 < full.steps


def test_accept_that_raises_counts_as_not_accepted(decoder):
    def fussy(data: bytes) -> bool:
        raise RuntimeError("checker broke")

    assert decoder.decode(qr_image("Tiền"), accept=fussy).accepted is None


def test_load_gray_reads_files_bytes_and_images(tmp_path, citizen_payload):
    frame = card_frame(citizen_payload, seed=1)
    rgb = Image.fromarray(frame[:, :, ::-1])
    rgb.save(tmp_path / "card.jpg", quality=90)
    rgba = rgb.convert("RGBA")
    rgba.save(tmp_path / "card.png")
    for source in (tmp_path / "card.jpg", str(tmp_path / "card.png"), (tmp_path / "card.png").read_bytes(), rgb, frame):
        image = load_gray(source)
        assert image.shape == (720, 1280) and image.dtype == np.uint8


@pytest.mark.parametrize("content,detail", [
    (b"", "not an image"),
    (b"not a picture at all\n", "not an image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not an image"),
])
def test_files_that_are_not_pictures_raise_image_error(tmp_path, content, detail):
    path = tmp_path / "scan.png"
    path.write_bytes(content)
    with pytest.raises(ImageError) as caught:
        load_gray(path)
    assert caught.value.code == "unreadable"
    assert detail in str(caught.value)


def test_missing_file_and_folder_raise_image_error(tmp_path):
    for path in (tmp_path / "missing.png", tmp_path):
        with pytest.raises(ImageError) as caught:
            load_gray(path)
        assert caught.value.code == "unreadable"


def test_truncated_jpeg_raises_image_error(tmp_path):
    path = tmp_path / "half.jpg"
    Image.new("RGB", (640, 480), "white").save(path, quality=95)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ImageError):
        load_gray(path)


def test_pictures_over_50_megapixels_are_refused(tmp_path):
    path = tmp_path / "huge.png"
    Image.new("1", (8000, 6400)).save(path)  # 51.2 MP, a few kilobytes on disk
    with pytest.raises(ImageError) as caught:
        load_gray(path)
    assert caught.value.code == "too_large"
    assert MAX_PIXELS == 50_000_000


def test_decompression_bombs_are_refused(tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("1", (14000, 14000)).save(path)  # past Pillow's own bomb limit
    with pytest.raises(ImageError) as caught:
        load_gray(path)
    assert caught.value.code == "too_large"


def test_big_pictures_are_shrunk_before_decoding(citizen_payload):
    big = np.full((3000, 4000), 255, np.uint8)
    code = qr_image(citizen_payload, module_px=12)
    big[500:500 + code.shape[0], 800:800 + code.shape[1]] = code
    image = load_gray(big)
    assert image.size <= 8_000_000 and image.shape[1] > image.shape[0]
    assert QrDecoder().decode(big, accept=is_cccd).accepted.data == citizen_payload.encode()
