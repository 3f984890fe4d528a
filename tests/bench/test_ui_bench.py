"""``kiosk bench ui``: cold starts in fresh processes, every screen shown, the section written."""

from __future__ import annotations

import argparse

from kiosk.bench import ui
from screens.registry import SCREENS


def test_the_kiosk_probe_opens_the_configured_window_and_shows_every_registered_screen():
    found = ui.probe("kiosk", walk=True)
    assert found["window"] == [1080, 1920]
    assert found["screens_shown"] == list(SCREENS)
    assert found["walk_peak_mb"] >= found["first_frame_peak_mb"] > 0
    assert found["first_frame_s"] > 0


def test_the_bench_writes_its_section_beside_the_bare_window_baseline(tmp_path, monkeypatch):
    target = tmp_path / "BENCHMARKS.md"
    monkeypatch.setenv("KIOSK_BENCHMARKS_MD", str(target))
    assert ui.run(argparse.Namespace(runs=1)) == 0
    text = target.read_text(encoding="utf-8")
    assert "<!-- bench:ui -->" in text and "<!-- /bench:ui -->" in text
    assert "| bare Kivy window (baseline) | 1 |" in text
    assert "| kiosk (simulators, offline) | 1 |" in text
    assert f"each of the {len(SCREENS)} registered screens" in text
