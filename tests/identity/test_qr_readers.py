"""QR-reader drivers and the scanner loop: the simulator, a real pty for the serial scanner, real
pipes for the keyboard wedge, a camera port that hands out generated frames."""

from __future__ import annotations

import datetime as dt
import os
import random
import threading
import time

import numpy as np
import pytest
from identity_cards import card_frame, payload, person, save
from PIL import Image

from devices.errors import DeviceDisconnected, DeviceTimeout, DriverUnavailable
from devices.ports import Camera, Health, QrScan
from devices.qr_reader.camera import CameraQrReader
from devices.qr_reader.serial_scanner import SerialQrReader
from devices.qr_reader.sim import SimulatedQrReader
from devices.qr_reader.wedge import EVENT, KeyboardWedgeQrReader, key_char
from devices.registry import DeviceContext, open_device
from kiosk.identity.scanner import Scanner

CARD = payload(person(random.Random(21)))


def test_sim_replays_a_folder_of_payloads_and_pictures(tmp_path):
    (tmp_path / "1-card.txt").write_text(CARD + "\n", encoding="utf-8")
    save(card_frame(CARD, seed=3, angle=15), tmp_path / "2-card.png")
    save(np.full((200, 300, 3), 90, np.uint8), tmp_path / "3-blank.png")
    (tmp_path / "4-link.bin").write_bytes(b"https://dichvucong.gov.vn")
    reader = open_device("qr_reader", f"sim://?folder={tmp_path}", DeviceContext(data_dir=tmp_path))
    assert isinstance(reader, SimulatedQrReader)
    assert reader.read(1).data == CARD.encode("utf-8")
    picture = reader.read(5)
    assert picture.data == CARD.encode("utf-8") and picture.text == CARD
    assert reader.preview() is not None and reader.preview().size == (1280, 720)
    assert reader.read(5).data == b"https://dichvucong.gov.vn"  # the blank picture read as nothing
    with pytest.raises(DeviceTimeout):
        reader.read(0.05)
    assert [s.data for s in reader.scans] == [CARD.encode(), CARD.encode(), b"https://dichvucong.gov.vn"]


def test_sim_loop_starts_again(tmp_path):
    (tmp_path / "a.txt").write_text("A")
    reader = SimulatedQrReader.from_url(_url(f"sim://?folder={tmp_path}&loop=1"), DeviceContext(tmp_path))
    assert [reader.read(1).text for _ in range(3)] == ["A", "A", "A"]


def test_sim_latency_holds_each_read_back():
    reader = SimulatedQrReader(latency=0.3)
    reader.push(CARD)
    with pytest.raises(DeviceTimeout):
        reader.read(0.05)  # still "moving the card into view"
    assert reader.read(2).data == CARD.encode()


def test_sim_push_from_another_thread_wakes_a_waiting_read():
    reader = SimulatedQrReader()
    threading.Timer(0.1, reader.push, args=(b"\xe1\xba\xa4p 3",)).start()
    assert reader.read(5).text == "Ấp 3"


def test_sim_faults(tmp_path):
    reader = SimulatedQrReader(fault="timeout")
    reader.push(CARD)
    with pytest.raises(DeviceTimeout):
        reader.read(0.05)
    assert reader.health().status == "warning"
    reader.set_fault("disconnected")
    with pytest.raises(DeviceDisconnected):
        reader.read(1)
    assert reader.health().status == "error"
    reader.clear_fault()
    assert reader.read(1).data == CARD.encode() and reader.health().ok


@pytest.mark.parametrize("url,problem", [
    ("sim://?folder=/no/such/folder", "not a directory"),
    ("sim://?latency=soon", "latency"),
    ("sim://?fault=fire", "unknown fault"),
])
def test_sim_bad_urls_are_refused(tmp_path, url, problem):
    with pytest.raises(DriverUnavailable, match=problem):
        open_device("qr_reader", url, DeviceContext(data_dir=tmp_path))


def _url(raw: str):
    from devices.registry import parse_url

    return parse_url(raw)


# --- scanner loop ---------------------------------------------------------------------------------


class Events:
    def __init__(self):
        self.items: list[tuple[str, object]] = []
        self.changed = threading.Condition()

    def add(self, kind: str, value: object = None) -> None:
        with self.changed:
            self.items.append((kind, value))
            self.changed.notify_all()

    def wait_for(self, kind: str, count: int = 1, timeout: float = 10) -> list:
        with self.changed:
            self.changed.wait_for(lambda: len(self.of(kind)) >= count, timeout)
        return self.of(kind)

    def of(self, kind: str) -> list:
        return [value for k, value in self.items if k == kind]


def scanner_for(reader, events: Events, **options) -> Scanner:
    return Scanner(
        reader,
        on_identity=lambda identity: events.add("identity", identity),
        on_rejected=lambda err: events.add("rejected", err),
        on_timeout=lambda: events.add("timeout"),
        on_error=lambda err: events.add("error", err),
        poll_s=0.05,
        **options,
    )


def test_scanner_reports_identity_and_debounces_repeats():
    reader, events = SimulatedQrReader(), Events()
    scanner = scanner_for(reader, events, debounce_s=30, timeout_s=None).start()
    try:
        for _ in range(5):
            reader.push(CARD)  # the card held still under the camera
        reader.push("https://dichvucong.gov.vn")
        reader.push("https://dichvucong.gov.vn")
        events.wait_for("rejected")
        deadline = time.monotonic() + 5
        while len(reader.scans) < 7 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        scanner.stop()
    assert len(reader.scans) == 7
    [identity] = events.of("identity")
    assert identity.full_name == CARD.split("|")[2] and identity.source == "camera"
    [rejected] = events.of("rejected")
    assert rejected.code == "not_cccd"
    assert not scanner.running


def test_debounce_window_lets_a_later_read_through():
    clock = [100.0]
    events = Events()
    scanner = scanner_for(SimulatedQrReader(), events, debounce_s=3, clock=lambda: clock[0])
    assert scanner.handle(CARD.encode()) is True
    clock[0] += 2.9
    assert scanner.handle(CARD.encode()) is False
    clock[0] += 0.2  # 0.2 s after the repeat, 3.1 s after the first read: the window restarts at each read
    assert scanner.handle(CARD.encode()) is False
    clock[0] += 3.5
    assert scanner.handle(CARD.encode()) is True
    assert len(events.of("identity")) == 2


def test_scanner_times_out_when_nothing_valid_is_read():
    events = Events()
    scanner = scanner_for(SimulatedQrReader(), events, timeout_s=0.3).start()
    assert events.wait_for("timeout") == [None]
    scanner.stop()
    assert not scanner.running and events.of("identity") == []


def test_scanner_reports_a_reader_that_goes_away():
    reader, events = SimulatedQrReader(), Events()
    scanner = scanner_for(reader, events, timeout_s=None).start()
    reader.set_fault("disconnected")
    [error] = events.wait_for("error")
    assert isinstance(error, DeviceDisconnected)
    scanner.stop()


def test_scanner_identity_warnings_mean_staff_should_look():
    reader, events = SimulatedQrReader(), Events()
    fixed_now = dt.datetime(2026, 6, 1, 9, 0)
    scanner = scanner_for(reader, events, timeout_s=None, now=lambda: fixed_now, source="scanner").start()
    reader.push(CARD.replace(CARD[:3], "099", 1))
    [identity] = events.wait_for("identity")
    scanner.stop()
    assert identity.needs_staff and identity.scanned_at == fixed_now and identity.source == "scanner"


# --- serial scanner on a real pty -----------------------------------------------------------------


@pytest.fixture
def pty_pair():
    import tty

    host, device = os.openpty()
    tty.setraw(device)
    yield host, os.ttyname(device)
    os.close(host)
    os.close(device)


def test_serial_scanner_reads_lines_byte_exact(pty_pair, tmp_path):
    host, port = pty_pair
    reader = open_device("qr_reader", f"serial://{port}?baudrate=115200", DeviceContext(data_dir=tmp_path))
    assert isinstance(reader, SerialQrReader) and reader.health().ok
    try:
        os.write(host, CARD.encode("utf-8")[:20])
        with pytest.raises(DeviceTimeout):
            reader.read(0.2)  # half a code is not a code
        os.write(host, CARD.encode("utf-8")[20:] + b"\r\n" + "]Q1Tiền\r".encode("utf-8"))
        assert reader.read(2).data == CARD.encode("utf-8")
        assert reader.read(2).data == "]Q1Tiền".encode("utf-8")
        with pytest.raises(DeviceTimeout):
            reader.read(0.1)
    finally:
        reader.close()
    assert not reader.health().ok


def test_serial_scanner_missing_port_is_unavailable(tmp_path):
    with pytest.raises(DriverUnavailable, match="cannot open scanner"):
        open_device("qr_reader", f"serial://{tmp_path}/ttyACM9", DeviceContext(data_dir=tmp_path))


# --- keyboard wedge -------------------------------------------------------------------------------


def test_wedge_reads_typed_lines_from_a_fifo(tmp_path):
    fifo = tmp_path / "scanner"
    os.mkfifo(fifo)
    reader = open_device("qr_reader", f"wedge://{fifo}", DeviceContext(data_dir=tmp_path))
    writer = os.open(fifo, os.O_WRONLY)
    try:
        os.write(writer, b"001199012345||Nguyen Thi Uoc|15031999|Nu|Xom 1|20052021\r\nsecond")
        assert reader.read(2).data.startswith(b"001199012345||Nguyen")
        with pytest.raises(DeviceTimeout):
            reader.read(0.1)
        os.write(writer, b" line\n")
        assert reader.read(2).text == "second line"
    finally:
        os.close(writer)
        reader.close()


def key_events(text: str) -> bytes:
    """What a US-layout wedge scanner's input device produces for ``text`` then Enter."""
    codes = {}
    for code in range(1, 100):
        for shift in (False, True):
            char = key_char(code, shift)
            if char is not None and char not in codes:
                codes[char] = (code, shift)
    out = []
    for char in text:
        code, shift = codes[char]
        if shift:
            out.append(EVENT.pack(0, 0, 1, 42, 1))
        out += [EVENT.pack(0, 0, 4, 4, code), EVENT.pack(0, 0, 1, code, 1), EVENT.pack(0, 0, 1, code, 0),
                EVENT.pack(0, 0, 0, 0, 0)]
        if shift:
            out.append(EVENT.pack(0, 0, 1, 42, 0))
    out += [EVENT.pack(0, 0, 1, 28, 1), EVENT.pack(0, 0, 1, 28, 0)]
    return b"".join(out)


def test_wedge_turns_key_events_into_text():
    text = "001199012345||Nguyen Thi Uoc|15031999|Nam|So 7/2, Ap 3|20052021"
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    reader = KeyboardWedgeQrReader(read_end, describe="test scanner", evdev=True)
    try:
        data = key_events(text)
        os.write(write_end, data[:37])  # events arrive split anywhere
        os.write(write_end, data[37:])
        assert reader.read(2).text == text
    finally:
        os.close(write_end)
        reader.close()


def test_key_map_is_the_us_layout():
    assert key_char(43, True) == "|" and key_char(30, True) == "A" and key_char(2, False) == "1"
    assert key_char(79, True) == "1"  # keypad digits ignore shift
    assert key_char(29, False) is None  # left control types nothing


def test_wedge_without_path_is_unavailable(tmp_path):
    with pytest.raises(DriverUnavailable):
        open_device("qr_reader", "wedge://", DeviceContext(data_dir=tmp_path))


# --- camera ---------------------------------------------------------------------------------------


class FrameCamera(Camera):
    """A camera at the hardware boundary: hands out prepared frames, then repeats the last one."""

    def __init__(self, frames: list[np.ndarray]):
        self.frames = list(frames)
        self.served = 0

    def frame(self, timeout: float = 2.0) -> Image.Image:
        index = min(self.served, len(self.frames) - 1)
        self.served += 1
        return Image.fromarray(np.ascontiguousarray(self.frames[index][:, :, ::-1]))

    def health(self) -> Health:
        return Health("ok", "frames")


def test_camera_reader_reads_through_the_camera_port(tmp_path):
    blank = np.full((720, 1280, 3), 150, np.uint8)
    camera = FrameCamera([blank, blank, card_frame(CARD, seed=8, angle=-25, tilt=0.15)])
    context = DeviceContext(data_dir=tmp_path, devices={"camera": camera})
    reader = open_device("qr_reader", "camera://?budget_ms=400", context)
    assert isinstance(reader, CameraQrReader) and reader.health().ok
    assert reader.preview() is None
    scan = reader.read(10)
    assert scan == QrScan(CARD.encode("utf-8"), source="camera")
    assert reader.frames_seen == 3 and camera.served == 3
    preview = reader.preview()
    assert preview.mode == "RGB" and preview.size == (1280, 720)
    assert preview.getpixel((0, 0)) == tuple(int(c) for c in card_frame(CARD, seed=8)[0, 0, ::-1])


def test_camera_reader_accept_skips_other_codes(tmp_path):
    from identity_cards import qr_image

    link = np.stack([qr_image("https://dichvucong.gov.vn", module_px=6)] * 3, axis=2)
    canvas = np.full((720, 1280, 3), 255, np.uint8)
    canvas[50:50 + link.shape[0], 50:50 + link.shape[1]] = link
    camera = FrameCamera([canvas, card_frame(CARD, seed=2)])
    context = DeviceContext(data_dir=tmp_path, devices={"camera": camera},
                            options={"qr_accept": lambda data: data.count(b"|") == 6})
    reader = open_device("qr_reader", "camera://", context)
    assert reader.read(10).data == CARD.encode()
    assert camera.served == 2


def test_camera_reader_times_out_on_empty_frames(tmp_path):
    camera = FrameCamera([np.full((120, 160, 3), 30, np.uint8)])
    reader = CameraQrReader.from_url(_url("camera://"), DeviceContext(data_dir=tmp_path, devices={"camera": camera}))
    with pytest.raises(DeviceTimeout):
        reader.read(0.3)
    assert camera.served >= 1


def test_camera_reader_needs_a_camera(tmp_path):
    with pytest.raises(DriverUnavailable, match="devices.camera"):
        open_device("qr_reader", "camera://", DeviceContext(data_dir=tmp_path))


def test_opencv_camera_that_does_not_exist_is_unavailable(tmp_path):
    with pytest.raises(DriverUnavailable, match="cannot open camera"):
        open_device("qr_reader", "camera://opencv//dev/video99", DeviceContext(data_dir=tmp_path))


def test_sim_is_the_default_qr_reader(sim_config):
    from kiosk.wiring import build

    kiosk = build(sim_config())
    try:
        assert isinstance(kiosk.devices.qr_reader, SimulatedQrReader)
        kiosk.devices.qr_reader.push(CARD)
        assert kiosk.devices.qr_reader.read(1).data == CARD.encode()
    finally:
        kiosk.close()



# --- a code in view that cannot be read -----------------------------------------------------------


def _too_far_and_blurred(seed: int = 5) -> np.ndarray:
    """A card whose code is there but too small and blurred for any decoder (2.4 px a module, blurred
    over 1.2 modules)."""
    return card_frame(CARD, seed=seed, fine=True, module_px=2.4, blur=2.4 * 1.2, noise=3)


def test_camera_reader_struggles_while_a_code_stays_unreadable_and_recovers_when_read(tmp_path):
    from devices.qr_reader.camera import STRUGGLE_FRAMES

    far = _too_far_and_blurred()
    camera = FrameCamera([far] * STRUGGLE_FRAMES + [card_frame(CARD, seed=8)])
    reader = CameraQrReader.from_url(_url("camera://?budget_ms=400"),
                                     DeviceContext(data_dir=tmp_path, devices={"camera": camera}))
    while not reader.struggling():  # each read looks at one frame: the code is found, not read
        with pytest.raises(DeviceTimeout):
            reader.read(0.3)
        assert camera.served <= STRUGGLE_FRAMES, "the reader struggles after the unreadable frames"
    assert reader.unread_frames == STRUGGLE_FRAMES
    assert reader.read(10).data == CARD.encode()  # the card held closer: read, no longer struggling
    assert not reader.struggling() and reader.unread_frames == 0


def test_a_frame_without_a_code_does_not_count_as_struggling(tmp_path):
    camera = FrameCamera([card_frame(CARD, seed=3, modules=np.zeros((45, 45), bool))])  # a card, no code
    reader = CameraQrReader.from_url(_url("camera://?budget_ms=400"),
                                     DeviceContext(data_dir=tmp_path, devices={"camera": camera}))
    with pytest.raises(DeviceTimeout):
        reader.read(1.0)
    assert camera.served >= 2 and reader.unread_frames == 0 and not reader.struggling()


def test_the_scanner_says_once_that_the_reader_struggles_until_it_reads(tmp_path):
    reader = SimulatedQrReader()
    events = Events()
    scanner = scanner_for(reader, events, on_struggling=lambda: events.add("struggling")).start()
    try:
        reader.push_image(_too_far_and_blurred())
        assert len(events.wait_for("struggling", timeout=30)) == 1
        reader.push_image(_too_far_and_blurred(seed=6))  # still too far: not said again
        time.sleep(0.5)
        reader.push(CARD)  # held closer and read
        events.wait_for("identity")
        reader.push_image(_too_far_and_blurred(seed=7))  # another citizen's card, too far again
        assert len(events.wait_for("struggling", count=2, timeout=30)) == 2
    finally:
        scanner.stop()
    assert [kind for kind, _ in events.items] == ["struggling", "identity", "struggling"]
