"""No bytes make the renderer fail: random data, random command soup, and jobs cut off anywhere."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from printer_helpers import capture

from devices.printer.escpos_render import render
from devices.printer.paper import TOP_MARGIN

COMMANDS = [
    b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\n", b"\t", b"\x1b@", b"\x1b!", b"\x1bE", b"\x1b-", b"\x1ba", b"\x1bd",
    b"\x1bJ", b"\x1b3", b"\x1b$", b"\x1b\\", b"\x1bD", b"\x1bt", b"\x1b*", b"\x1b&", b"\x1b%\x01", b"\x1b(",
    b"\x1d!", b"\x1dB", b"\x1dL", b"\x1dW", b"\x1dv0", b"\x1d(k", b"\x1d(L", b"\x1d8L", b"\x1dk", b"\x1dV",
    b"\x1d*", b"\x1d/", b"\x1dh", b"\x1dw", b"\x1dH", b"\x1cq", b"\x1c(", b"\x10\x14", b"\x1bi",
    b"\x1d(k\x03\x001Q0", b"\x1d(k\x04\x001A3\x00", b"\x1d(L\x02\x0002",
]
command_soup = st.lists(
    st.one_of(st.binary(max_size=6), st.tuples(st.sampled_from(COMMANDS), st.binary(max_size=6)).map(b"".join)),
    max_size=40,
).map(b"".join)


def check(job: bytes, dots: int = 576) -> None:
    result = render(job, dots_per_line=dots, max_height=4000)
    assert result.image.width == dots + 64
    assert TOP_MARGIN <= result.image.height <= 4000
    assert all(isinstance(line, str) for line in result.lines)
    assert len(result.cuts) <= job.count(b"\x1dV") + job.count(b"\x1bi") + job.count(b"\x1bm")
    assert len(result.qr_codes) <= job.count(b"\x1d(k")
    assert sum(map(len, result.lines)) <= len(job)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_random_bytes_never_break_the_renderer(job):
    check(job)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command_soup, st.sampled_from([576, 384]))
def test_random_commands_never_break_the_renderer(job, dots):
    check(job, dots)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["receipt-with-logo.bin", "qr-code.bin", "text-size.bin"]), st.floats(0, 1))
def test_a_job_cut_off_anywhere_prints_the_beginning_of_the_whole(name, fraction):
    job = capture(name)
    whole = render(job)
    part = render(job[: int(len(job) * fraction)])
    assert whole.lines[: len(part.lines)] == part.lines
    assert [c.data for c in whole.qr_codes[: len(part.qr_codes)]] == [c.data for c in part.qr_codes]
    assert len(part.cuts) <= len(whole.cuts)


def test_tone_mark_after_a_user_defined_character():
    """GIVEN a user-defined "A" in use WHEN a CP1258 tone mark follows it THEN it prints as its own cell."""
    job = b"\x1b&\x03AA\x0c" + bytes(36) + b"\x1b%\x01\x1bt\x34A\xec\n"
    result = render(job)
    assert result.lines == ["Á"]
    assert result.complete
