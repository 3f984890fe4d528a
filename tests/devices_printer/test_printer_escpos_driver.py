"""The python-escpos driver against things that behave like printers: a raw TCP port on loopback,
a file and a FIFO. USB, serial and CUPS without a device must refuse to start, clearly."""

from __future__ import annotations

import os
import threading

import pytest
from printer_helpers import COVER_OPEN, PAPER_NEAR_END, PAPER_OUT, READY, FakeNetworkPrinter

from devices.errors import CoverOpen, DeviceDisconnected, DriverUnavailable, PaperOut
from devices.ports import PrinterStatus
from devices.printer import encode
from devices.printer.escpos_render import render
from devices.registry import DeviceContext, open_device

JOB = encode.text_job(["Số thứ tự 1024", "Quầy 3"], "tcvn3", qr="HT01-1024")


@pytest.fixture
def context(tmp_path):
    return DeviceContext(data_dir=tmp_path)


def test_tcp_printer_receives_the_exact_job(network_printer, context):
    printer = open_device("printer", network_printer.url, context)
    printer.send(JOB)
    received = network_printer.wait_for(len(JOB))
    printer.close()

    assert received == JOB  # status queries (DLE EOT) are answered, not printed
    assert render(received).lines[:2] == ["Số thứ tự 1024", "Quầy 3"]
    assert printer.dots_per_line == 576


@pytest.mark.parametrize("answers, status, health", [
    (READY, PrinterStatus(online=True, paper="ok", cover_open=False), "ok"),
    (PAPER_NEAR_END, PrinterStatus(online=True, paper="near_end", cover_open=False), "warning"),
    (PAPER_OUT, PrinterStatus(online=False, paper="out", cover_open=False), "error"),
    (COVER_OPEN, PrinterStatus(online=False, paper="ok", cover_open=True), "error"),
])
def test_tcp_status_from_dle_eot(network_printer, context, answers, status, health):
    network_printer.answers = answers
    printer = open_device("printer", network_printer.url, context)
    assert printer.status() == status
    assert printer.health().status == health
    printer.close()


@pytest.mark.parametrize("answers, error", [(PAPER_OUT, PaperOut), (COVER_OPEN, CoverOpen)])
def test_tcp_job_is_refused_when_the_printer_cannot_print(network_printer, context, answers, error):
    network_printer.answers = answers
    printer = open_device("printer", network_printer.url, context)
    with pytest.raises(error):
        printer.send(JOB)
    printer.close()
    assert network_printer.received == b""


def test_printer_that_does_not_answer_status_still_prints(context):
    silent = FakeNetworkPrinter(answers=None)
    try:
        printer = open_device("printer", silent.url, context)
        assert printer.status() == PrinterStatus(online=None, paper="unknown", cover_open=None)
        assert printer.health().status == "ok"
        printer.send(b"\x1b@hello\n")
        assert silent.wait_for(8) == b"\x1b@hello\n"
        printer.close()
    finally:
        silent.close()


def test_tcp_connection_lost_mid_job_then_reconnects(network_printer, context):
    printer = open_device("printer", network_printer.url, context)
    network_printer.hang_up_after = 10
    big = bytes(16_000_000)  # more than loopback buffers hold, so the reset is noticed mid-job
    with pytest.raises(DeviceDisconnected, match="part of the job may have printed"):
        printer.send(big)
    network_printer.hang_up_after = None
    network_printer.received.clear()
    printer.send(b"\x1b@again\n")
    assert network_printer.wait_for(8) == b"\x1b@again\n"
    assert network_printer.connections == 2
    printer.close()


def test_unreachable_tcp_printer_fails_to_start(context):
    spare = FakeNetworkPrinter()
    port = spare.port
    spare.close()
    with pytest.raises(DriverUnavailable, match=f"tcp 127.0.0.1:{port}: cannot start"):
        open_device("printer", f"escpos+tcp://127.0.0.1:{port}?timeout=1", context)


def test_file_printer_writes_the_job(tmp_path, context):
    target = tmp_path / "lp0"
    target.touch()
    printer = open_device("printer", f"file://{target}", context)
    printer.send(JOB)
    assert printer.status() == PrinterStatus(online=None)
    assert printer.health().status == "ok"
    printer.close()
    assert target.read_bytes() == JOB


def test_file_printer_through_a_fifo(tmp_path, context):
    fifo = tmp_path / "printer.fifo"
    os.mkfifo(fifo)
    received = bytearray()

    def read_all():
        with open(fifo, "rb") as pipe:
            while chunk := pipe.read(4096):
                received.extend(chunk)

    reader = threading.Thread(target=read_all)
    reader.start()
    printer = open_device("printer", f"file://{fifo}", context)
    printer.send(JOB)
    printer.close()
    reader.join(timeout=5)
    assert bytes(received) == JOB


def test_file_printer_that_is_not_there(tmp_path, context):
    with pytest.raises(DriverUnavailable, match="cannot start"):
        open_device("printer", f"file://{tmp_path}/no/such/dir/lp0", context)


@pytest.mark.parametrize("url, problem", [
    ("escpos+usb://04b8:7f7f", "usb 04b8:7f7f: (cannot start|no USB backend)"),
    ("escpos+usb://epson", "VID:PID"),
    ("escpos+serial:///dev/ttyNOPE0?baudrate=38400", "serial /dev/ttyNOPE0 at 38400 baud: cannot start"),
    ("escpos+serial:///dev/ttyS9?baudrate=fast", "baudrate must be a number"),
    ("escpos+tcp://:9100", "HOST"),
    ("cups://Receipts", "pycups"),
])
def test_drivers_without_a_device_say_why(context, url, problem):
    with pytest.raises(DriverUnavailable, match=problem):
        open_device("printer", url, context)


def test_paper_width_from_the_url(network_printer, context):
    printer = open_device("printer", network_printer.url + "&paper=58", context)
    assert printer.dots_per_line == 384
    printer.close()
