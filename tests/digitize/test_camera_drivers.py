"""Camera and scanner drivers: the simulator, a watched folder, OpenCV and SANE, opened by URL."""

import shutil
import threading
import time

import numpy as np
import pytest
from digitize_helpers import render
from PIL import Image

from devices.errors import DeviceDisconnected, DeviceTimeout, DriverUnavailable
from devices.registry import DeviceContext, open_device


@pytest.fixture
def context(tmp_path):
    return DeviceContext(data_dir=tmp_path)


@pytest.fixture
def replay(tmp_path):
    folder = tmp_path / "replay"
    folder.mkdir()
    for i, shade in enumerate((10, 20, 30)):
        Image.new("L", (300, 200), shade).save(folder / f"page{i}.png")
    (folder / "notes.txt").write_text("ignored")
    return folder


def test_sim_replays_files_in_order(replay, context):
    camera = open_device("camera", f"sim://{replay}", context)
    assert camera.frame().getpixel((0, 0)) == (10, 10, 10)  # preview does not move on
    shades = [camera.capture().getpixel((0, 0))[0] for _ in range(3)]
    assert shades == [10, 20, 30]
    assert camera.served == ["page0.png", "page1.png", "page2.png"]
    with pytest.raises(DeviceTimeout):
        camera.capture()
    assert camera.health().status == "warning"


def test_sim_loops_and_delays(replay, context):
    camera = open_device("camera", f"sim://{replay}?loop=1&latency_ms=50", context)
    started = time.monotonic()
    shades = [camera.capture().getpixel((0, 0))[0] for _ in range(4)]
    assert shades == [10, 20, 30, 10]
    assert time.monotonic() - started >= 0.2
    with pytest.raises(DeviceTimeout):
        camera.frame(timeout=0.01)


def test_sim_without_folder_shows_a_sample_page(context):
    camera = open_device("camera", "sim://", context)
    image = camera.capture()
    assert image.size == (1240, 1754) and np.asarray(image).min() < 50


def test_sim_no_device_fault(replay, context):
    camera = open_device("camera", f"sim://{replay}?fault=no_device", context)
    assert camera.health().status == "error"
    with pytest.raises(DeviceDisconnected):
        camera.capture()
    camera.clear_fault()
    assert camera.capture().size == (300, 200)
    with pytest.raises(DriverUnavailable):
        open_device("camera", f"sim://{replay}?fault=melted", context)
    with pytest.raises(DriverUnavailable):
        open_device("camera", "sim:///no/such/folder", context)


def test_folder_camera_takes_only_new_settled_files(tmp_path, context):
    spool = tmp_path / "spool"
    spool.mkdir()
    Image.new("L", (50, 50), 0).save(spool / "old.png")  # there before start: not a new scan
    camera = open_device("camera", f"folder://{spool}?settle_ms=100", context)
    with pytest.raises(DeviceTimeout):
        camera.capture(timeout=0.3)

    def scanner_drops_a_page():
        time.sleep(0.2)
        render().save(spool / ".incoming.png")
        (spool / ".incoming.png").rename(spool / "scan-001.png")

    threading.Thread(target=scanner_drops_a_page).start()
    preview = camera.frame(timeout=5)
    image = camera.capture(timeout=5)
    assert image.size == preview.size == render().size
    assert camera.taken == ["scan-001.png"]
    assert sorted(p.name for p in spool.iterdir()) == ["old.png"]  # taken and removed
    assert camera.health().ok


def test_folder_camera_needs_a_folder(tmp_path, context):
    with pytest.raises(DriverUnavailable, match="does not exist"):
        open_device("camera", f"folder://{tmp_path}/missing", context)


def test_opencv_without_a_camera_fails_loudly(context):
    with pytest.raises(DriverUnavailable, match="no camera"):
        open_device("camera", "opencv://7", context)


def test_opencv_reads_frames_from_a_video(tmp_path, context):
    import cv2

    path = tmp_path / "doc.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5, (320, 240))
    for shade in (40, 200, 200):
        writer.write(np.full((240, 320, 3), shade, np.uint8))
    writer.release()
    camera = open_device("camera", f"opencv://{path}", context)
    try:
        first = camera.frame()
        assert first.size == (320, 240) and abs(first.getpixel((5, 5))[0] - 40) < 10
        assert abs(camera.capture().getpixel((5, 5))[0] - 200) < 10
        assert camera.health().ok
    finally:
        camera.close()
    assert camera.health().status == "error"


@pytest.mark.skipif(shutil.which("scanimage") is None, reason="sane-utils (scanimage) is not installed")
def test_sane_test_scanner(context):
    scanner = open_device("camera", "sane://test:0?resolution=100&mode=Gray&test-picture=Grid", context)
    page = scanner.capture(timeout=60)
    assert page.mode == "L" and page.width > 300
    values = np.asarray(page)
    assert values.min() < 30 and values.max() > 220  # the grid's black and white squares
    assert scanner.frame(timeout=60).width < page.width  # the preview is a low-resolution scan
    assert scanner.scans == 2 and scanner.health().ok


@pytest.mark.skipif(shutil.which("scanimage") is None, reason="sane-utils (scanimage) is not installed")
def test_sane_missing_scanner_fails_loudly(context):
    with pytest.raises(DriverUnavailable, match="nosuch"):
        open_device("camera", "sane://nosuch:1", context)
    with pytest.raises(DriverUnavailable, match="option"):
        open_device("camera", "sane://test:0?bad;name=1", context)
