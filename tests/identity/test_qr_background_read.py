"""The camera reader and a card blurred by a whole module: each frame gets 150 ms, so the slowest
step of the pipeline (``deep_read``) runs in the background while the citizen holds the card, and
its result is dropped once the card has gone. The camera is simulated at the hardware boundary
(prepared frames); decoding is the real pipeline."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest
from identity_cards import card_frame, deep_pose, gray, payload, person
from PIL import Image

from devices.errors import DeviceTimeout
from devices.ports import Camera, Health
from devices.qr_reader.camera import STRUGGLE_FRAMES, CameraQrReader
from devices.registry import DeviceContext, open_device

#: The frame of test_qr_deep_read: only the deep step reads it, in about 3–5 s.
SEED = 7
CARD = payload(person(random.Random(SEED)))


@pytest.fixture(scope="module")
def deep_frame() -> np.ndarray:
    return gray(card_frame(CARD, **deep_pose(SEED)))


class StillCamera(Camera):
    """A camera at the hardware boundary: the prepared frames, then the last one again and again."""

    def __init__(self, frames: list[np.ndarray]):
        self.frames = [Image.fromarray(f).convert("RGB") for f in frames]
        self.served = 0

    def frame(self, timeout: float = 2.0) -> Image.Image:
        index = min(self.served, len(self.frames) - 1)
        self.served += 1
        time.sleep(0.03)
        return self.frames[index]

    def health(self) -> Health:
        return Health("ok", "frames")


def open_reader(tmp_path, camera):
    return open_device("qr_reader", "camera://", DeviceContext(data_dir=tmp_path, devices={"camera": camera}))


def test_the_camera_reads_a_held_card_in_the_background_while_it_struggles(tmp_path, deep_frame):
    reader = open_reader(tmp_path, StillCamera([deep_frame]))
    assert isinstance(reader, CameraQrReader)
    struggled = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            scan = reader.read(0.5)
            break
        except DeviceTimeout:
            struggled = struggled or reader.struggling()
    else:
        pytest.fail("the held card was not read in the background")
    assert struggled, "each frame alone is unreadable: the reader said it struggled first"
    assert scan.data == CARD.encode("utf-8") and scan.source == "camera"
    assert reader.unread_frames == 0


def test_a_background_read_is_not_given_once_the_card_has_gone(tmp_path, deep_frame):
    blank = np.full(deep_frame.shape, 140, np.uint8)
    camera = StillCamera([deep_frame] * (STRUGGLE_FRAMES + 1) + [blank])
    reader = open_reader(tmp_path, camera)
    with pytest.raises(DeviceTimeout):
        reader.read(3.0)  # the card is seen, not read, then taken away
    assert camera.served > STRUGGLE_FRAMES + 6
    assert reader.background.started >= 1, "the struggling reader started reading in the background"
    deadline = time.monotonic() + 30
    while reader.background.running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not reader.background.running(), "the forgotten read stops at its next step"
    with pytest.raises(DeviceTimeout):
        reader.read(1.0)
    assert reader.background.take() is None


def test_the_simulated_reader_also_reads_a_held_card_in_the_background(deep_frame):
    from devices.qr_reader.sim import SimulatedQrReader

    reader = SimulatedQrReader()
    reader.push_image(deep_frame)
    with pytest.raises(DeviceTimeout):
        reader.read(1.0)  # the picture alone is not read: the reader struggles
    assert reader.struggling() and reader.background.started == 1
    scan = reader.read(60)  # handed out once the background read gets it
    assert scan.data == CARD.encode("utf-8") and scan.source == "sim"
    assert not reader.struggling() and reader.scans == [scan]


def test_the_simulated_reader_drops_a_background_read_once_another_picture_came(deep_frame):
    from devices.qr_reader.sim import SimulatedQrReader

    reader = SimulatedQrReader()
    reader.push_image(deep_frame)
    with pytest.raises(DeviceTimeout):
        reader.read(1.0)
    assert reader.background.started == 1
    reader.push_image(np.full(deep_frame.shape, 140, np.uint8))  # the card taken away
    with pytest.raises(DeviceTimeout):
        reader.read(1.0)
    deadline = time.monotonic() + 30
    while reader.background.running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not reader.background.running()
    with pytest.raises(DeviceTimeout):
        reader.read(1.0)
    assert reader.scans == [] and not reader.struggling()
