"""KR-CU16 frames: exact bytes, checksums, and replies found in noisy input."""

import pytest

from devices.locker import kerong


def test_command_frames_are_exact():
    assert kerong.status_query(0) == bytes.fromhex("02 00 30 03 35")
    assert kerong.unlock(0, 0) == bytes.fromhex("02 00 31 03 36")
    assert kerong.unlock(1, 15) == bytes.fromhex("02 1f 31 03 55")
    assert kerong.unlock(15, 15) == bytes.fromhex("02 ff 31 03 35")  # the sum wraps at 256


@pytest.mark.parametrize("board, lock", [(16, 0), (-1, 0), (0, 16)])
def test_out_of_range_addresses_are_refused(board, lock):
    with pytest.raises(ValueError):
        kerong.unlock(board, lock)


def test_status_reply_round_trip_and_bit_order():
    status = kerong.BoardStatus(board=3, hooks=0b1000_0000_0000_0101, sensors=0b0000_0001_0000_0000)
    frame = kerong.encode_status(status)

    assert frame == bytes.fromhex("02 30 35 05 80 00 01 03") + bytes([sum(frame[:8]) % 256])
    parsed = kerong.parse_status(frame)
    assert parsed == status
    assert parsed.latched(0) and not parsed.latched(1) and parsed.latched(2) and parsed.latched(15)
    assert parsed.occupied(8) and not parsed.occupied(0)


@pytest.mark.parametrize(
    "frame, problem",
    [
        (bytes.fromhex("02 00 35 ff ff 00 00 03"), "9 bytes"),
        (bytes.fromhex("05 00 35 ff ff 00 00 03 00"), "STX/ETX"),
        (bytes.fromhex("02 00 35 ff ff 00 00 03 00"), "checksum"),
        (bytes.fromhex("02 00 36 ff ff 00 00 03 39"), "0x36"),
    ],
)
def test_bad_replies_say_what_is_wrong(frame, problem):
    with pytest.raises(kerong.FrameError, match=problem):
        kerong.parse_status(frame)


def test_find_reply_skips_noise_and_waits_for_the_rest():
    reply = kerong.encode_status(kerong.BoardStatus(0, 0xFFFF, 0))
    buffer = bytearray(b"\xff\x02\x00" + reply[:5])

    assert kerong.find_reply(buffer) is None  # the real reply is not complete yet
    buffer += reply[5:]
    assert kerong.find_reply(buffer) == reply
    assert buffer == bytearray()


def test_find_reply_drops_a_garbled_frame():
    good = kerong.encode_status(kerong.BoardStatus(0, 1, 0))
    bad = good[:-1] + bytes([good[-1] ^ 0xFF])
    buffer = bytearray(bad + good)

    assert kerong.find_reply(buffer) == good
