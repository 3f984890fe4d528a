"""The hidden gesture: five taps in the top-left corner within three seconds, nothing else."""

from __future__ import annotations

from kiosk.admin.gesture import CornerTaps


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def taps(clock: Clock | None = None) -> CornerTaps:
    return CornerTaps(80, clock=clock or Clock())


def test_five_quick_taps_in_the_corner_open_admin_mode_then_the_count_starts_again():
    clock = Clock()
    gesture = taps(clock)
    results = []
    for _ in range(5):
        results.append(gesture.touch(10, 10))
        clock.now += 0.5
    assert results == [False, False, False, False, True]
    assert not gesture.touch(10, 10)  # the sixth tap starts a new count


def test_slow_taps_do_not_count():
    clock = Clock()
    gesture = taps(clock)
    for _ in range(5):
        assert not gesture.touch(10, 10)
        clock.now += 0.8  # five taps over 3.2 s: never five within 3 s


def test_a_touch_outside_the_corner_starts_the_count_again():
    gesture = taps()
    for _ in range(4):
        assert not gesture.touch(79, 79)
    assert not gesture.touch(81, 10)  # just outside, to the right
    assert [gesture.touch(0, 0) for _ in range(5)] == [False] * 4 + [True]
    for _ in range(4):
        gesture.touch(5, 5)
    assert not gesture.touch(5, 81)  # just below the corner


def test_a_clock_set_back_does_not_add_old_taps():
    clock = Clock()
    gesture = taps(clock)
    for _ in range(4):
        gesture.touch(1, 1)
    clock.now -= 50  # a clock that went backwards
    assert not gesture.touch(1, 1)
