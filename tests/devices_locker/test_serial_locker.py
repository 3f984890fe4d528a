"""The KR-CU16 driver against a board emulator over a real pseudo-terminal."""

import threading

import pytest

from devices.errors import DeviceDisconnected, DeviceTimeout, DoorLeftOpen, DriverUnavailable, LockerError, LockerJammed
from devices.locker.serial_locker import SerialLocker
from devices.ports import CompartmentState
from devices.registry import DeviceContext, open_device


def open_locker(tmp_path, line, query: str = "") -> SerialLocker:
    url = f"serial://{line.path}?board=kr-cu16&baudrate=19200&timeout=0.3&open_check_s=0.3"
    locker = open_device("locker", url + (f"&{query}" if query else ""), DeviceContext(data_dir=tmp_path))
    assert isinstance(locker, SerialLocker)
    return locker


def test_start_up_asks_the_board_for_its_status(tmp_path, make_line):
    line = make_line()
    with open_locker(tmp_path, line) as locker:
        assert line.board.received == [bytes.fromhex("02 00 30 03 35")]
        assert locker.compartments() == ["A1", "A2", "A3", "A4", "A5", "A6", "B1", "B2", "B3", "B4", "B5", "B6"]
        assert locker.health().status == "ok"


def test_open_releases_the_right_lock_with_the_exact_frame(tmp_path, make_line):
    line = make_line()
    with open_locker(tmp_path, line) as locker:
        locker.open("A3")

        assert line.board.received[-1] == bytes.fromhex("02 02 31 03 38")
        assert not line.board.latched(0, 2) and line.board.latched(0, 0)
        assert locker.state("A3") == CompartmentState(door_open=True, occupied=False, jammed=False)
        assert locker.state("A1").door_open is False


def test_state_reads_the_hook_and_infrared_sensor(tmp_path, make_line):
    line = make_line()
    line.board.put(0, 11)
    with open_locker(tmp_path, line) as locker:
        assert locker.state("b6") == CompartmentState(door_open=False, occupied=True)
        locker.open("B6")
        line.board.take(0, 11)
        line.board.shut(0, 11)
        assert locker.state("B6") == CompartmentState(door_open=False, occupied=False)


def test_a_jammed_lock_raises_and_shows_in_state_and_health(tmp_path, make_line):
    line = make_line()
    line.board.jammed.add((0, 4))
    with open_locker(tmp_path, line) as locker:
        with pytest.raises(LockerJammed, match="A5"):
            locker.open("A5")

        assert locker.state("A5").jammed and not locker.state("A5").door_open
        health = locker.health()
        assert health.status == "warning" and "A5" in health.detail

        line.board.jammed.clear()  # staff fixed it
        locker.open("A5")
        assert not locker.state("A5").jammed and locker.health().status == "ok"


def test_wait_closed_returns_when_the_door_is_pushed_shut(tmp_path, make_line):
    line = make_line()
    line.board.put(0, 0)
    with open_locker(tmp_path, line) as locker:
        locker.open("A1")

        def citizen():
            line.board.take(0, 0)
            line.board.shut(0, 0)

        threading.Timer(0.2, citizen).start()
        state = locker.wait_closed("A1", timeout=10, poll_s=0.05)
        assert state == CompartmentState(door_open=False, occupied=False)


def test_wait_closed_raises_when_the_door_stays_open(tmp_path, make_line):
    line = make_line()
    with open_locker(tmp_path, line) as locker:
        locker.open("A2")
        with pytest.raises(DoorLeftOpen, match="A2"):
            locker.wait_closed("A2", timeout=0.2, poll_s=0.05)


def test_compartments_past_sixteen_go_to_the_next_board(tmp_path, make_line):
    line = make_line(addresses=(2, 3))
    labels = ",".join(f"C{n}" for n in range(1, 19))
    with open_locker(tmp_path, line, f"address=2&compartments={labels}") as locker:
        assert line.board.received == [bytes.fromhex("02 20 30 03 55"), bytes.fromhex("02 30 30 03 65")]
        locker.open("C17")
        assert line.board.received[-1] == bytes.fromhex("02 30 31 03 66")
        assert not line.board.latched(3, 0) and line.board.latched(2, 0)


def test_noise_and_one_garbled_reply_are_survived(tmp_path, make_line):
    line = make_line()
    with open_locker(tmp_path, line) as locker:
        line.board.noise_before_reply = b"\x00\xff\x02\x13"
        assert locker.state("A1").door_open is False

        line.board.corrupt_replies = 1  # the driver asks again
        assert locker.state("A1").door_open is False
        assert line.board.received[-2] == line.board.received[-1]


def test_a_board_that_stops_answering_times_out(tmp_path, make_line):
    line = make_line()
    with open_locker(tmp_path, line) as locker:
        line.board.silent = True
        with pytest.raises(DeviceTimeout, match="board 0 did not answer"):
            locker.state("A1")
        assert locker.health().status == "error"


def test_an_unplugged_line_is_a_disconnection(tmp_path, make_line):
    line = make_line()
    with open_locker(tmp_path, line) as locker:
        line.unplug()
        with pytest.raises(DeviceDisconnected, match="lost"):
            locker.open("A1")
        assert locker.health().status == "error"


def test_no_board_on_the_line_fails_loudly_at_start(tmp_path, make_line):
    line = make_line(addresses=(5,))  # the board's switches say 5, config says 0
    with pytest.raises(DriverUnavailable, match="no KR-CU16 board 0 answering"):
        open_locker(tmp_path, line)


def test_an_unknown_compartment_is_a_locker_error(tmp_path, make_line):
    line = make_line()
    with open_locker(tmp_path, line) as locker:
        with pytest.raises(LockerError, match="no compartment 'Z9'"):
            locker.open("Z9")


@pytest.mark.parametrize(
    "url, message",
    [
        ("serial:///dev/does-not-exist", "cannot open /dev/does-not-exist"),
        ("serial://", "needs a device path"),
        ("serial:///dev/ttyUSB1?board=acme", "unknown lock board 'acme'"),
        ("serial:///dev/ttyUSB1?baudrate=fast", "baudrate: must be a number"),
        ("serial:///dev/ttyUSB1?address=16", "address: must be a number from 0 to 15"),
        ("serial:///dev/ttyUSB1?compartments=A1,A1", "A1 listed twice"),
    ],
)
def test_bad_configuration_fails_loudly(tmp_path, url, message):
    with pytest.raises(DriverUnavailable, match=message):
        open_device("locker", url, DeviceContext(data_dir=tmp_path))
