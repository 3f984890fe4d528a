"""The ``kiosk id`` and ``kiosk qr`` contracts, run as the operator runs them."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from identity_cards import card_frame, payload, person, qr_image, save

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"id_number", "old_id_number", "full_name", "date_of_birth", "issue_date", "sex", "address",
        "card", "extras", "warnings"}
VALID = "001199012345||Nguyễn Thị Ước|15031999|Nữ|Xóm Ước Lễ, Xã Hợp Thịnh, Tỉnh Bắc Ninh|20052021"


def kiosk(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, input=stdin,
                          capture_output=True, timeout=120, env=_env())


def _env() -> dict:
    import os

    env = dict(os.environ)
    env.pop("KIOSK_CONFIG", None)
    env["LC_ALL"] = "C"  # the JSON must still be UTF-8
    return env


def lines(result: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]


def test_parse_prints_one_json_object():
    result = kiosk("id", "parse", VALID)
    assert result.returncode == 0, result.stderr
    [obj] = lines(result)
    assert set(obj) == KEYS
    assert obj["full_name"] == "Nguyễn Thị Ước"
    assert obj["old_id_number"] is None
    assert obj["date_of_birth"] == "1999-03-15" and obj["issue_date"] == "2021-05-20"
    assert obj["sex"] == "female" and obj["card"] == "cccd-2021" and obj["extras"] == []
    assert obj["warnings"] == []


def test_parse_reads_stdin_with_bom_and_newline():
    result = kiosk("id", "parse", "-", stdin=("\ufeff" + VALID + "||||\n").encode("utf-8"))
    assert result.returncode == 0, result.stderr
    [obj] = lines(result)
    assert obj["card"] == "cancuoc-2024" and obj["extras"] == ["", "", "", ""]


def test_parse_reports_warnings_with_code_and_message():
    result = kiosk("id", "parse", VALID.replace("001199", "003188"), "--language", "vi")
    assert result.returncode == 0
    [obj] = lines(result)
    assert [w["code"] for w in obj["warnings"]] == ["unknown_province", "year_mismatch"]
    assert obj["warnings"][1]["message"].startswith("Số định danh không khớp với năm sinh")


@pytest.mark.parametrize("text", [
    "https://dichvucong.gov.vn",
    VALID.replace("15031999", "31021999"),
    VALID.replace("|Nguyễn Thị Ước|", "||"),
    "|".join(VALID.split("|")[:5]),
])
def test_parse_refuses_with_exit_2_and_one_line(text):
    result = kiosk("id", "parse", text)
    assert result.returncode == 2
    assert result.stdout == b""
    err = result.stderr.decode("utf-8").strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "not a valid CCCD payload" in err
    assert "Nguyễn" not in err


def test_parse_today_option_decides_the_future():
    assert kiosk("id", "parse", VALID, "--today", "2021-05-20").returncode == 0
    assert kiosk("id", "parse", VALID, "--today", "2021-05-19").returncode == 2


def test_scan_prints_one_line_per_image(tmp_path):
    citizen = payload(person(random.Random(3)))
    good = save(card_frame(citizen, seed=4, angle=20), tmp_path / "card.jpg")
    blank = save(np.full((360, 640, 3), 200, np.uint8), tmp_path / "blank.png")
    url = save(qr_image("https://dichvucong.gov.vn/p/home"), tmp_path / "url.png")
    junk = tmp_path / "notes.png"
    junk.write_text("not a picture")
    result = kiosk("id", "scan", good, blank, url, str(junk))
    assert result.returncode == 1
    card, none, link, bad = lines(result)
    assert card["file"] == good and set(card) == KEYS | {"file"}
    assert card["id_number"] == citizen.split("|")[0]
    assert card["full_name"] == citizen.split("|")[2]
    assert none["file"] == blank and none["error"] == "no_qr" and none["message"]
    assert link["error"] == "not_cccd" and link["reason"] == "not_cccd" and link["message"]
    assert bad["error"] == "unreadable" and "Traceback" not in result.stderr.decode()


def test_scan_exit_0_when_every_image_gave_an_identity(tmp_path):
    files = [save(card_frame(payload(person(random.Random(s))), seed=s), tmp_path / f"c{s}.png") for s in (1, 2)]
    result = kiosk("id", "scan", *files)
    assert result.returncode == 0, result.stdout
    assert [obj["file"] for obj in lines(result)] == files


def test_qr_prints_every_code(tmp_path):
    first, second = qr_image("Tiền", module_px=5), qr_image("WIFI:S:MotCua;T:WPA;P:x;;", module_px=5)
    canvas = np.full((first.shape[0] + second.shape[0] + 60, max(first.shape[1], second.shape[1]) + 40), 255, np.uint8)
    canvas[20:20 + first.shape[0], 20:20 + first.shape[1]] = first
    canvas[40 + first.shape[0]:40 + first.shape[0] + second.shape[0], 20:20 + second.shape[1]] = second
    both = save(canvas, tmp_path / "two.png")
    blank = save(np.full((100, 100), 255, np.uint8), tmp_path / "blank.png")
    result = kiosk("qr", both, blank)
    assert result.returncode == 0
    codes, nothing = lines(result)
    assert sorted(codes["texts"]) == sorted(["Tiền", "WIFI:S:MotCua;T:WPA;P:x;;"])
    assert nothing == {"file": blank, "texts": []}


def test_qr_reports_unreadable_files(tmp_path):
    result = kiosk("qr", str(tmp_path / "missing.jpg"))
    assert result.returncode == 1
    [obj] = lines(result)
    assert obj["error"] == "unreadable"


def test_bench_id_writes_its_section(tmp_path):
    """The benchmark runs on any folder laid out like the development set."""
    import cv2

    data = tmp_path / "data"
    (data / "cccd" / "images").mkdir(parents=True)
    cases, images = [], []
    for n, difficulty in enumerate(("easy", "medium", "hard")):
        text = payload(person(random.Random(40 + n)))
        cases.append({"id": f"t{n}", "payload": text, "expect": "valid"})
        cv2.imwrite(str(data / "cccd" / "images" / f"card{n}.png"), card_frame(text, seed=n, blur=0.5 * n))
        images.append({"file": f"images/card{n}.png", "case": f"t{n}", "difficulty": difficulty})
    (data / "cccd" / "payloads.jsonl").write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in cases))
    (data / "cccd" / "images.jsonl").write_text("\n".join(json.dumps(i) for i in images))
    output = tmp_path / "BENCHMARKS.md"
    result = kiosk("bench", "id", "--data", str(data), "--output", str(output))
    assert result.returncode == 0, result.stderr
    text = output.read_text(encoding="utf-8")
    assert "<!-- bench:id -->" in text and "<!-- /bench:id -->" in text
    assert "| easy | ≥ 100% | 1/1 (100%) |" in text
    assert "pipeline 3/3" in text


def test_bench_id_without_data_is_a_usage_error(tmp_path):
    result = kiosk("bench", "id", "--data", str(tmp_path), "--no-write")
    assert result.returncode == 2
    assert "no development set" in result.stderr.decode()
