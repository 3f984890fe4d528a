"""``kiosk ocr`` as the operator runs it: a real subprocess, real files, real Tesseract."""

import json
import os
import subprocess
import sys

import pytest
from digitize_helpers import LINES, render, scanned

from kiosk.bench.ocr import normalise


def kiosk(*args, cwd=None):
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    return subprocess.run([sys.executable, "-m", "kiosk", *map(str, args)], capture_output=True, text=True,
                          timeout=180, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pictures")
    first, second = folder / "1.png", folder / "2.jpg"
    render(LINES[:4]).save(first)
    scanned(render(LINES[4:])).rotate(180).save(second)
    return first, second


def test_outputs_and_json_summary(pictures, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a picture")
    out = kiosk("ocr", pictures[0], bad, pictures[1], "--pdf", tmp_path / "d.pdf", "--text", tmp_path / "d.txt")
    assert out.returncode == 1, out.stderr  # one input could not be used
    summary = json.loads(out.stdout)
    assert summary["pages"] == 2 and summary["language"] == "vie"
    assert summary["mean_confidence"] > 80 and summary["seconds"] > 0
    assert [p["source"] for p in summary["page_results"]] == ["1.png", "2.jpg"]
    assert summary["page_results"][1]["rotation"] == 180
    assert all(p["flags"] == [] for p in summary["page_results"])
    assert summary["errors"] == [{"source": "notes.txt", "error": "notes.txt: not a picture or PDF this kiosk can read"}]
    assert "notes.txt" in out.stderr
    text = (tmp_path / "d.txt").read_text(encoding="utf-8")
    assert "Tập trung" in normalise(text) and "Phước Lộc" in normalise(text)
    assert summary["outputs"]["pdf"]["bytes"] == (tmp_path / "d.pdf").stat().st_size
    pdf_text = subprocess.run(["pdftotext", tmp_path / "d.pdf", "-"], capture_output=True, text=True).stdout
    assert normalise(pdf_text) == normalise(text.replace("\f", " "))


def test_text_to_stdout_summary_to_stderr(pictures):
    out = kiosk("ocr", pictures[0])
    assert out.returncode == 0, out.stderr
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in out.stdout
    summary = json.loads(out.stderr)
    assert summary["pages"] == 1 and summary["outputs"] == {}


def test_unknown_language_is_a_usage_error(pictures):
    out = kiosk("ocr", pictures[0], "--lang", "klingon")
    assert out.returncode == 2
    assert out.stderr.startswith("kiosk ocr: ") and "klingon" in out.stderr
    assert "Traceback" not in out.stderr


def test_only_bad_inputs_fail_cleanly(tmp_path):
    bad = tmp_path / "x.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    out = kiosk("ocr", bad, "--text", tmp_path / "t.txt")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert json.loads(out.stdout)["pages"] == 0
    assert not (tmp_path / "t.txt").exists()
