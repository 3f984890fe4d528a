"""The identity benchmark's report: which pipeline step read the frames of each difficulty."""

from __future__ import annotations

from kiosk.bench.identity import Tally, render


def tally(decoded: int, total: int, steps: dict[str, int] | None = None) -> Tally:
    t = Tally(decoded=decoded, total=total, exact=decoded, found=decoded, times_ms=[5.0] * total)
    t.steps.update(steps or {})
    return t


def test_report_names_the_step_that_read_each_difficulty():
    cards = {
        "easy": {"pipeline": tally(2, 2, {"frame": 2}), "zxing": tally(2, 2), "pyzbar": tally(1, 2)},
        "hard": {"pipeline": tally(3, 4, {"symbol-fit": 2, "crop-deblur-1.75": 1}),
                 "zxing": tally(0, 4), "pyzbar": tally(0, 4)},
    }
    text = render(cards, {})
    assert "| hard | ≥ 60% | 3/4 (75%) | 0/4 (0%) | 0/4 (0%) |" in text
    assert "easy: frame 2; hard: symbol-fit 2, crop-deblur-1.75 1." in text
