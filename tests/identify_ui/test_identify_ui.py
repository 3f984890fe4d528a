"""The identify screen, the visit and "call staff" in a real offscreen window, each case reported here.

Kivy opens one window per process and ``tests/ui`` holds this process's window, so the window cases
(``ui_identify_cases.py``) run once, in a child pytest process of their own; every case shows up here
under its own name, with the child's failure report when it fails.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CASES = HERE / "ui_identify_cases.py"


def case_names() -> list[str]:
    tree = ast.parse(CASES.read_text(encoding="utf-8"))
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]


@pytest.fixture(scope="module")
def child_run(tmp_path_factory):
    """Run every window case in one child process; their outcomes by test function name."""
    folder = tmp_path_factory.mktemp("identify-ui")
    report = folder / "cases.xml"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(CASES), "-q", "-p", "no:cacheprovider", f"--junitxml={report}",
         f"--basetemp={folder / 'tmp'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    outcomes: dict[str, list[tuple[str, str]]] = {}
    if report.exists():
        for case in ET.parse(report).getroot().iter("testcase"):
            name = case.get("name", "").split("[", 1)[0]
            problem = next((child for child in case if child.tag in ("failure", "error", "skipped")), None)
            if problem is None:
                outcomes.setdefault(name, []).append(("passed", ""))
            else:
                text = f"{case.get('name')}: {problem.get('message', '')}\n{problem.text or ''}"
                outcomes.setdefault(name, []).append((problem.tag, text))
    return outcomes, done.stdout[-4000:] + done.stderr[-4000:]


@pytest.mark.ui
@pytest.mark.slow
@pytest.mark.parametrize("case", case_names())
def test_in_a_real_window(child_run, case):
    outcomes, output = child_run
    assert case in outcomes, f"{case} did not run in the child process:\n{output}"
    problems = [text for outcome, text in outcomes[case] if outcome != "passed"]
    assert not problems, "\n\n".join(problems)
