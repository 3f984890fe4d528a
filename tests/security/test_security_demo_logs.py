"""The full headless demo visit leaves the citizen's ID number, name and address in no log.

``kiosk -v demo --headless`` (run once for the session: ``demo_visit`` in ``tests/conftest.py``) walks
the scripted visit (the invented citizen's card is read by the simulated QR reader, confirmed, a number
is taken and printed) with the central service embedded; the run's temporary folder is kept and the
kiosk's log file is written as ``kiosk service`` writes it. The output (every debug message,
unredacted) and every log file the run wrote must not hold the citizen's ID number, name or address,
in any spelling.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from kiosk.identity.cccd import parse_cccd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def visit_citizen() -> dict:
    """The demo's citizen, read from the card the scripted visit holds to the reader."""
    code = ("import sys; from screens.demo_script import invented_cccd_payload; "
            "sys.stdout.write(invented_cccd_payload())")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    payload = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120, check=True).stdout
    card = parse_cccd(payload)
    return {"id_number": card.id_number, "full_name": card.full_name, "address": card.address}


def spellings(value: str) -> set[str]:
    """``value`` as written, in capitals, without diacritics, and as JSON or Python would escape it."""
    folded = "".join(c for c in unicodedata.normalize("NFD", value) if unicodedata.category(c) != "Mn")
    folded = folded.replace("đ", "d").replace("Đ", "D")
    forms = {value, value.upper(), folded, folded.upper(), json.dumps(value)[1:-1], ascii(value)[1:-1]}
    return {form for form in forms if len(form) >= 4}


def log_files(*folders: Path) -> list[Path]:
    """Every log file under ``folders``: named ``*.log*`` or kept in a ``logs`` folder."""
    return [path for folder in folders for path in folder.rglob("*")
            if path.is_file() and (".log" in path.name or "logs" in path.relative_to(folder).parts)]


@pytest.mark.ui
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_full_demo_visit_logs_no_personal_data(demo_visit):
    citizen = visit_citizen()
    assert len(citizen["id_number"]) == 12 and citizen["full_name"] and citizen["address"]
    done, out, keep = demo_visit, demo_visit.out, demo_visit.keep
    # The demo's own verdict (it also checks every screen's text and speech) is not this test's business:
    # what matters is that the visit got past reading and confirming the citizen's card.
    assert list(out.glob("*identify-confirmed*.png")), f"the visit did not confirm the card\n{done.stderr[-3000:]}"
    assert "DEBUG" in done.stderr, "debug logging reached the output"

    files = log_files(keep, out)
    assert (keep / "logs" / "kiosk.log").stat().st_size > 0, "the kiosk wrote its log file"
    outputs = {"stdout": done.stdout, "stderr": done.stderr}
    for path in files:
        outputs[str(path.relative_to(demo_visit.root))] = path.read_text(encoding="utf-8", errors="replace")
    found = [f"{where}: {what}" for where, text in outputs.items() for what, value in citizen.items()
             if any(form in text for form in spellings(value))]
    assert found == [], "personal data in the logs"
