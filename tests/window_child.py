"""Run a file of window test cases in a child pytest process and report each case by name.

Kivy opens one window per process and ``tests/ui`` holds the main test process's window, so the
window cases of other flows run once, in a child pytest of their own; ``window_cases`` turns that run
into one parametrized test per case, each failing with the child's own failure report.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def case_names(cases: Path) -> list[str]:
    tree = ast.parse(cases.read_text(encoding="utf-8"))
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]


def run_cases(cases: Path, folder: Path) -> tuple[dict[str, list[tuple[str, str]]], str]:
    """Every case of ``cases`` in one child process: outcomes by test function name, and its output."""
    report = folder / "cases.xml"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(cases), "-q", "-p", "no:cacheprovider", f"--junitxml={report}",
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


def window_cases(cases: Path):
    """A module-scoped fixture and a parametrized test reporting each case of ``cases``."""

    @pytest.fixture(scope="module")
    def child_run(tmp_path_factory):
        return run_cases(cases, tmp_path_factory.mktemp(cases.stem))

    @pytest.mark.ui
    @pytest.mark.slow
    @pytest.mark.parametrize("case", case_names(cases))
    def test_in_a_real_window(child_run, case):
        outcomes, output = child_run
        assert case in outcomes, f"{case} did not run in the child process:\n{output}"
        problems = [text for outcome, text in outcomes[case] if outcome != "passed"]
        assert not problems, "\n\n".join(problems)

    return child_run, test_in_a_real_window
