"""``kiosk dossier submit`` and ``kiosk dossier status`` against the real central service."""

from __future__ import annotations

import json

import pytest
from dossier_rig import OWNER, STRANGER, config_toml, pdf_bytes

from kiosk.cli import main


@pytest.fixture
def cli(center, tmp_path, capsys):
    """``cli(*args) -> (status, stdout, stderr)`` for a kiosk configured in a TOML file."""
    name = f"cli-kiosk-{tmp_path.name[-12:]}".replace("_", "-")
    config = tmp_path / "kiosk.toml"
    config.write_text(config_toml(tmp_path / "data", center.url, name, center.add_kiosk(name), prefix="C1"),
                      encoding="utf-8")

    def run(*args):
        status = main(["dossier", *args, "--config", str(config)])
        out, err = capsys.readouterr()
        return status, out, err

    return run


def test_submit_then_status_public_and_owner_views(cli, center, tmp_path):
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(pdf_bytes(2))
    status, out, err = cli("submit", "--procedure", "HT-KS", "--id-payload", OWNER,
                           "--doc", f"giay_chung_sinh={scan}",
                           "--field", "child_name=Trần Minh Khôi", "--field", "child_birth=02/11/2026",
                           "--field", "child_sex=male", "--field", "child_birthplace=Bắc Ninh",
                           "--field", "relationship=mother")
    assert status == 0, err
    answer = json.loads(out)
    assert answer["delivered"] is True and answer["status"] == "received" and answer["procedure"] == "HT-KS"
    assert answer["kiosk_reference"].startswith("C1-")
    recorded = center.dossier(answer["code"])
    assert recorded["expected_result_date"] == answer["expected_result_date"]
    assert [d["checklist_item"] for d in recorded["documents"]] == ["giay_chung_sinh"]

    status, out, _ = cli("status", answer["code"])
    public = json.loads(out)
    assert status == 0 and public["status"] == "received" and "owner" not in public
    status, out, _ = cli("status", answer["kiosk_reference"], "--id-payload", OWNER)
    full = json.loads(out)
    assert status == 0 and full["code"] == answer["code"] and full["owner"]["id_number"] == "001199012345"
    status, out, _ = cli("status", answer["code"], "--id-payload", STRANGER)
    assert status == 1 and json.loads(out)["error"] == "owner_mismatch"
    status, out, _ = cli("status", "HT01-0001-999999")
    assert status == 1 and json.loads(out)["error"] == "not_found"


def test_bad_usage_is_one_line_and_exit_2(cli, tmp_path):
    not_pdf = tmp_path / "note.pdf"
    not_pdf.write_text("hello", encoding="utf-8")
    fields = ["--field", "purpose=Bổ sung hồ sơ"]
    cases = [
        (["--id-payload", "not a card"], "--id-payload"),
        (["--id-payload", OWNER, "--doc", str(not_pdf)], "not a PDF"),
        (["--id-payload", OWNER, "--doc", str(tmp_path / "missing.pdf")], "cannot read"),
        (["--id-payload", OWNER, "--field", "nonsense=1"], "not a field"),
    ]
    for extra, words in cases:
        status, out, err = cli("submit", "--procedure", "CU-XNCT", *fields, *extra)
        assert status == 2 and out == "" and words in err and len(err.strip().splitlines()) == 1, (extra, err)
    status, _, err = cli("submit", "--procedure", "HT-KS", "--id-payload", OWNER)
    assert status == 2 and "child_name" in err
    status, _, err = cli("submit", "--procedure", "NO-SUCH", "--id-payload", OWNER)
    assert status == 2 and "NO-SUCH" in err
