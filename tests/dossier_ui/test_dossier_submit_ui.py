"""Submitting a dossier in a real offscreen window, each case of ``ui_submit_cases.py`` reported here (see
``tests/window_child.py`` for why they run in a child process)."""

from pathlib import Path

from window_child import window_cases

child_run, test_in_a_real_window = window_cases(Path(__file__).resolve().parent / "ui_submit_cases.py")
