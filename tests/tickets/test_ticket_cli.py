"""``kiosk ticket issue`` and ``kiosk ticket preview``."""

from __future__ import annotations

import json

import zxingcpp
from PIL import Image
from ticket_rig import wait_until

from devices.printer.escpos_render import render
from kiosk.cli import main


def write_config(tmp_path, center, printer="sim://", language="vi", paper=80, text_mode="raster"):
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\nlanguage = "{language}"\n'
        f'[central]\nurl = "{center.url}"\ntoken = "{center.kiosk_token}"\nembedded = false\n'
        f'[printer]\npaper_width_mm = {paper}\ntext_mode = "{text_mode}"\n'
        f'[devices]\nprinter = "{printer}"\nqr_reader = "none://"\ncamera = "none://"\nspeaker = "none://"\n'
        f'locker = "none://"\n',
        encoding="utf-8",
    )
    return path


def test_issue_prints_one_ticket_and_its_json(shared_center, tmp_path, capsys):
    config = write_config(tmp_path, shared_center)

    status = main(["ticket", "issue", "--service", "C", "--priority", "--config", str(config)])

    result = json.loads(capsys.readouterr().out)
    assert status == 0
    assert result["number"].startswith("C") and result["service"] == "C" and result["priority"] is True
    assert result["printed"] is True and result["offline"] is False
    assert isinstance(result["position"], int) and isinstance(result["estimated_wait_minutes"], int)
    printed = sorted((tmp_path / "data" / "printed").glob("job-*.bin"))
    assert len(printed) == 1 and len(printed[0].read_bytes()) == result["job_bytes"]
    assert any(t["number"] == result["number"] for t in shared_center.queue())


def test_issue_in_the_printers_code_page_sends_vietnamese_as_text(shared_center, tmp_path, capsys):
    config = write_config(tmp_path, shared_center, text_mode="cp1258", paper=58)

    assert main(["ticket", "issue", "--service", "B", "--config", str(config)]) == 0

    result = json.loads(capsys.readouterr().out)
    job = (tmp_path / "data" / "printed" / "job-0001.bin").read_bytes()
    assert b"\x1bt" in job  # a code page chosen for the Vietnamese lines
    assert result["job_bytes"] < 1500  # no pictures but the rules
    printed = render(job, dots_per_line=384)
    assert "Chứng thực" in printed.lines and result["number"] in printed.lines


def test_issue_with_a_printer_out_of_paper_voids_the_number_and_fails(shared_center, tmp_path, capsys):
    config = write_config(tmp_path, shared_center, printer="sim://?faults=paper_out")

    status = main(["ticket", "issue", "--service", "A", "--config", str(config)])

    captured = capsys.readouterr()
    assert status == 1 and captured.out == ""
    assert "out of paper" in captured.err


def test_issue_when_the_printer_fails_mid_job_reports_the_voided_number(shared_center, tmp_path, capsys):
    config = write_config(tmp_path, shared_center, printer="sim://?unplug_after=700")

    status = main(["ticket", "issue", "--service", "B", "--config", str(config)])

    result = json.loads(capsys.readouterr().out)
    assert status == 1 and result["state"] == "voided" and result["printed"] is False
    assert "unplugged" in result["fault"]
    assert wait_until(lambda: not any(t["number"] == result["number"] for t in shared_center.queue()))


def test_preview_draws_a_sample_ticket_without_taking_a_number(shared_center, tmp_path, capsys):
    config = write_config(tmp_path, shared_center, paper=58)
    out = tmp_path / "ticket.png"
    before = len(shared_center.queue())

    status = main(["ticket", "preview", "--service", "D", "--out", str(out), "--config", str(config)])

    assert status == 0
    line = capsys.readouterr().out
    assert "D001" in line and "58 mm" in line and "115200 baud" in line
    picture = Image.open(out)
    assert picture.width == 384 + 64  # the paper and the simulator's margins
    assert zxingcpp.read_barcodes(picture)[0].text.startswith("MOTCUA:T:")
    assert len(shared_center.queue()) == before


def test_preview_of_an_unknown_service_is_one_clear_line(tmp_path, capsys):
    status = main(["ticket", "preview", "--service", "Q", "--out", str(tmp_path / "x.png")])
    assert status == 2
    assert "--service Q: not a service" in capsys.readouterr().err


def test_a_data_folder_that_cannot_be_written_stops_the_command_with_one_line(shared_center, tmp_path, capsys):
    config = write_config(tmp_path, shared_center)
    (tmp_path / "data").write_bytes(b"a file where the kiosk's data folder should be")  # as on a broken disk

    status = main(["ticket", "issue", "--service", "C", "--config", str(config)])

    err = capsys.readouterr().err.strip().splitlines()
    assert status == 1
    assert len(err) == 1 and err[0].startswith("kiosk ticket: cannot start the kiosk: ")
    assert "Traceback" not in "\n".join(err)
