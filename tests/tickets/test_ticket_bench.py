"""``kiosk bench ticket`` writes its section with both measurements (numbers checked for sense, not speed)."""

from __future__ import annotations

import argparse

from kiosk.bench import ticket as bench


def test_the_bench_writes_tap_times_and_job_sizes(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    output = tmp_path / "BENCHMARKS.md"

    assert bench.run(parser.parse_args(["--tickets", "5", "--output", str(output)])) == 0

    text = output.read_text(encoding="utf-8")
    assert "<!-- bench:ticket -->" in text and "Measured " in text
    assert "| online | 5 |" in text and "| offline | 5 |" in text
    rows = [line.split("|") for line in text.splitlines() if line.startswith("| 80 mm") or line.startswith("| 58 mm")]
    compact = [row for row in rows if "baseline" not in row[3]]
    whole = [row for row in rows if "baseline" in row[3]]
    assert len(compact) == 14 and len(whole) == 4
    assert all(float(row[6]) < 2.0 for row in compact)  # every compact job: under 2 s at 115200 baud
    assert all(float(row[6]) > 2.0 for row in whole)  # the whole-raster ticket would not be
