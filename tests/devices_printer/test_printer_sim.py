"""The simulated printer: what it keeps, what it draws, and every fault it can be given."""

from __future__ import annotations

import pytest
from PIL import Image

from devices.errors import CoverOpen, DeviceDisconnected, DriverUnavailable, PaperOut, PrinterOffline
from devices.ports import PrinterStatus
from devices.printer import encode
from devices.printer.sim import SimulatedPrinter
from devices.registry import DeviceContext, open_device

RECEIPT = encode.text_job(["Trung tâm Phục vụ hành chính công", "Số thứ tự: 1024"], "cp1258",
                          qr="HT01-1024")


@pytest.fixture
def context(tmp_path):
    return DeviceContext(data_dir=tmp_path / "data")


@pytest.fixture
def printer(context):
    device = open_device("printer", "sim://", context)
    yield device
    device.close()


def test_keeps_every_byte_and_writes_each_job(printer, context):
    printer.send(RECEIPT)
    printer.send(b"\x1b@Second\n\x1dV\x00")
    assert printer.wait_printed()

    assert bytes(printer.output) == RECEIPT + b"\x1b@Second\n\x1dV\x00"
    folder = context.data_dir / "printed"
    assert sorted(p.name for p in folder.iterdir()) == ["job-0001.bin", "job-0001.png", "job-0002.bin", "job-0002.png"]
    assert (folder / "job-0001.bin").read_bytes() == RECEIPT
    first = printer.jobs[0].rendering
    assert first.lines[:2] == ["Trung tâm Phục vụ hành chính công", "Số thứ tự: 1024"]
    assert first.qr_codes[0].data == b"HT01-1024"
    with Image.open(folder / "job-0001.png") as png:
        assert png.size == first.image.size
    assert printer.last_job.rendering.lines == ["Second"]
    assert printer.health().status == "ok"
    assert printer.status() == PrinterStatus(online=True, paper="ok", cover_open=False)


def test_numbering_continues_after_a_restart(context):
    first = open_device("printer", "sim://", context)
    first.send(b"one\n")
    first.close()
    again = open_device("printer", "sim://", context)
    again.send(b"two\n")
    again.close()
    assert again.last_job.bin_path.name == "job-0002.bin"


def test_paper_out(printer):
    printer.set_paper("out")
    with pytest.raises(PaperOut):
        printer.send(RECEIPT)
    assert printer.output == b"" and printer.jobs == []
    assert printer.status().paper == "out" and not printer.status().can_print
    assert (printer.health().status, printer.health().detail) == ("error", "out of paper")
    printer.set_paper("ok")
    printer.send(RECEIPT)
    assert len(printer.jobs) == 1


def test_paper_near_end_still_prints_with_a_warning(printer):
    printer.set_paper("near_end")
    printer.send(RECEIPT)
    assert printer.status().paper == "near_end" and printer.status().can_print
    assert printer.health().status == "warning"
    assert len(printer.jobs) == 1


def test_cover_open(printer):
    printer.open_cover()
    with pytest.raises(CoverOpen):
        printer.send(RECEIPT)
    assert printer.status().cover_open is True and not printer.status().can_print
    assert printer.health().detail == "cover open"
    printer.close_cover()
    printer.send(RECEIPT)
    assert printer.output == RECEIPT


def test_offline(printer):
    printer.go_offline()
    with pytest.raises(PrinterOffline):
        printer.send(RECEIPT)
    assert printer.status().online is False and printer.health().status == "error"
    printer.go_online()
    assert printer.health().status == "ok"


def test_unplugged_mid_job_keeps_and_prints_the_part_that_arrived(printer):
    job = encode.text_job([f"Dòng {n}" for n in range(1, 21)], "tcvn3")
    cut_at = job.index(b" 11\n") + 4  # the link drops just after line 11
    printer.unplug_after(cut_at)
    with pytest.raises(DeviceDisconnected, match=f"after {cut_at} of {len(job)} bytes"):
        printer.send(job)
    assert printer.wait_printed()

    assert bytes(printer.output) == job[:cut_at]
    partial = printer.last_job
    assert not partial.complete and partial.bin_path.read_bytes() == job[:cut_at]
    assert partial.png_path.exists()
    assert partial.rendering.lines == [f"Dòng {n}" for n in range(1, 12)]
    assert partial.rendering.cuts == []
    assert printer.health().detail == "not connected (unplugged)"
    assert printer.status().online is False
    with pytest.raises(DeviceDisconnected):
        printer.send(job)
    printer.plug_in()
    printer.send(job)
    assert printer.wait_printed()
    assert printer.last_job.complete and len(printer.last_job.rendering.cuts) == 1


def test_unplugged_mid_picture_prints_the_rows_that_arrived(printer):
    picture = Image.new("L", (576, 400), 0)
    job = encode.raster_job(picture)
    header = len(b"\x1b@") + len(b"\x1dv0") + 5  # ESC @, then GS v 0 m xL xH yL yH
    printer.unplug_after(header + 150 * 72 + 10)  # 150 whole rows of 72 bytes and a bit
    with pytest.raises(DeviceDisconnected):
        printer.send(job)
    assert printer.wait_printed()
    rendering = printer.last_job.rendering
    assert not rendering.complete
    (partial,) = rendering.images
    assert (partial.width, partial.height) == (576, 150)
    with Image.open(printer.last_job.png_path) as png:
        left, top, right, bottom = partial.box
        assert png.crop(partial.box).getextrema() == (0, 0)  # all black, as sent
        assert png.crop((left, bottom, right, png.height)).getextrema()[0] > 128  # nothing below


def test_slow_link_waits_as_long_as_a_115200_baud_serial_printer(context):
    waits = []
    printer = SimulatedPrinter(context.data_dir / "slow", baud=115200, sleep=waits.append)
    printer.send(bytes(11520))
    printer.set_baud(None)
    printer.send(bytes(100))
    printer.close()
    assert waits == [1.0]


def test_url_options(context, tmp_path):
    narrow = open_device("printer", f"sim://{tmp_path}/narrow?paper=58&faults=paper_near_end,cover_open&baud=9600",
                         context)
    assert narrow.folder == tmp_path / "narrow"
    assert narrow.dots_per_line == 384
    assert narrow.status() == PrinterStatus(online=False, paper="near_end", cover_open=True)
    narrow.close()
    named = open_device("printer", "sim://receipts?dots=512", context)
    assert named.folder == context.data_dir / "receipts" and named.dots_per_line == 512
    named.close()
    unplugged = open_device("printer", "sim://?faults=unplugged", context)
    with pytest.raises(DeviceDisconnected):
        unplugged.send(b"x")
    cut_short = open_device("printer", "sim://?unplug_after=3", context)
    with pytest.raises(DeviceDisconnected):
        cut_short.send(b"abcdef")
    assert cut_short.output == b"abc"


def test_58mm_paper_from_config(tmp_path):
    device = open_device("printer", "sim://", DeviceContext(data_dir=tmp_path, paper_width_mm=58))
    assert device.dots_per_line == 384
    device.send(encode.raster_job(Image.new("L", (384, 20), 0), dots=384))
    device.wait_printed()
    assert device.last_job.rendering.images[0].width == 384
    device.close()


@pytest.mark.parametrize("url, problem", [
    ("sim://?faults=on_fire", "unknown fault 'on_fire'"),
    ("sim://?color=red", "unknown option 'color'"),
    ("sim://?paper=76", "paper must be 58 or 80"),
    ("sim://?baud=fast", "baud must be"),
    ("sim://?profile=TM-X", "unknown profile 'TM-X'"),
])
def test_bad_urls_say_what_is_wrong(context, url, problem):
    with pytest.raises(DriverUnavailable, match=problem):
        open_device("printer", url, context)


def test_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DriverUnavailable, match="cannot create"):
        SimulatedPrinter(blocker / "printed")


def test_closed_printer_refuses_jobs(printer):
    printer.close()
    printer.close()
    with pytest.raises(DeviceDisconnected):
        printer.send(RECEIPT)
    assert printer.health().status == "error"
