"""Idle handling on a fake clock: warning, countdown, continue, timeout."""

from __future__ import annotations

import pytest

from kiosk.i18n import translate
from kiosk.visit import ACTIVE, STOPPED, TIMED_OUT, WARNING, IdleTimer
from kiosk.visit.idle import MSG_CONTINUE, MSG_COUNTDOWN, MSG_STILL_THERE


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Events:
    def __init__(self) -> None:
        self.seen: list[tuple] = []

    def timer(self, clock, timeout=60, warning=30) -> IdleTimer:
        return IdleTimer(
            timeout,
            warning,
            clock=clock,
            on_warning=lambda left: self.seen.append(("warning", left)),
            on_tick=lambda left: self.seen.append(("tick", left)),
            on_resume=lambda: self.seen.append(("resume",)),
            on_timeout=lambda: self.seen.append(("timeout",)),
        )


def run_for(timer: IdleTimer, clock: FakeClock, seconds: float, step: float = 0.25) -> None:
    for _ in range(int(seconds / step)):
        clock.advance(step)
        timer.poll()


def test_warning_then_countdown_then_timeout():
    clock, events = FakeClock(), Events()
    timer = events.timer(clock)
    timer.start()
    run_for(timer, clock, 59.75)
    assert timer.state == ACTIVE and events.seen == []
    assert timer.seconds_left() == pytest.approx(0.25)

    run_for(timer, clock, 0.25)
    assert timer.state == WARNING
    assert events.seen == [("warning", 30)]
    assert timer.seconds_left() == pytest.approx(30)

    run_for(timer, clock, 29.75)
    assert timer.state == WARNING
    ticks = [left for kind, *rest in events.seen if kind == "tick" for left in rest]
    assert ticks == list(range(29, 0, -1))

    run_for(timer, clock, 0.25)
    assert timer.state == TIMED_OUT
    assert events.seen[-1] == ("timeout",)
    run_for(timer, clock, 10)
    assert events.seen.count(("timeout",)) == 1


def test_touch_during_the_warning_continues_the_visit():
    clock, events = FakeClock(), Events()
    timer = events.timer(clock, timeout=60, warning=20)
    timer.start()
    run_for(timer, clock, 70)
    assert timer.state == WARNING
    timer.touch()
    assert timer.state == ACTIVE and events.seen[-1] == ("resume",)
    run_for(timer, clock, 59)
    assert timer.state == ACTIVE
    run_for(timer, clock, 1)
    assert timer.state == WARNING
    assert [e for e in events.seen if e[0] == "warning"] == [("warning", 20), ("warning", 20)]


def test_touches_keep_the_visit_alive():
    clock, events = FakeClock(), Events()
    timer = events.timer(clock)
    timer.start()
    for _ in range(10):
        run_for(timer, clock, 50)
        timer.touch()
    assert timer.state == ACTIVE and events.seen == []


def test_a_late_poll_still_shows_the_full_warning():
    """The UI thread was busy past both deadlines: the citizen still gets the whole countdown."""
    clock, events = FakeClock(), Events()
    timer = events.timer(clock, timeout=60, warning=25)
    timer.start()
    clock.advance(500)
    assert timer.poll() == WARNING
    assert events.seen == [("warning", 25)]
    clock.advance(24.9)
    assert timer.poll() == WARNING
    clock.advance(0.1)
    assert timer.poll() == TIMED_OUT


def test_hold_keeps_the_visit_from_timing_out():
    clock, events = FakeClock(), Events()
    timer = events.timer(clock)
    timer.start()
    with timer.hold():
        run_for(timer, clock, 300)
        assert timer.state == ACTIVE
    run_for(timer, clock, 59)
    assert timer.state == ACTIVE and events.seen == []
    run_for(timer, clock, 1)
    assert timer.state == WARNING


def test_hold_during_the_warning_resumes():
    clock, events = FakeClock(), Events()
    timer = events.timer(clock)
    timer.start()
    run_for(timer, clock, 61)
    with timer.hold():
        assert timer.state == ACTIVE
        run_for(timer, clock, 120)
    assert ("resume",) in events.seen and timer.state == ACTIVE


def test_stopped_timer_ignores_touches_and_time():
    clock, events = FakeClock(), Events()
    timer = events.timer(clock)
    assert timer.state == STOPPED
    timer.touch()
    run_for(timer, clock, 500)
    assert timer.state == STOPPED and events.seen == []
    timer.start()
    timer.stop()
    run_for(timer, clock, 500)
    assert timer.state == STOPPED and events.seen == []


def test_after_timeout_a_touch_does_not_revive_the_visit():
    clock, events = FakeClock(), Events()
    timer = events.timer(clock)
    timer.start()
    run_for(timer, clock, 100)
    assert timer.state == TIMED_OUT
    timer.touch()
    assert timer.state == TIMED_OUT and ("resume",) not in events.seen


def test_warning_shorter_than_20_seconds_is_refused():
    with pytest.raises(ValueError, match="at least 20"):
        IdleTimer(60, 19.5)
    with pytest.raises(ValueError):
        IdleTimer(0, 30)


def test_from_config_uses_the_configured_times(sim_config):
    config = sim_config(kiosk={"idle_timeout_s": 90, "idle_warning_s": 45})
    clock = FakeClock()
    timer = IdleTimer.from_config(config.kiosk, clock=clock)
    timer.start()
    clock.advance(89)
    assert timer.poll() == ACTIVE
    clock.advance(1)
    assert timer.poll() == WARNING and timer.seconds_left() == 45


@pytest.mark.parametrize("language", ["vi", "en"])
def test_warning_texts_are_translated(language):
    for message in (MSG_STILL_THERE, MSG_CONTINUE):
        assert translate(message, language)
    text = translate(MSG_COUNTDOWN, language, seconds=25)
    assert "25" in text
    if language == "vi":
        assert text != MSG_COUNTDOWN.format(seconds=25)
        assert translate(MSG_CONTINUE, "vi") == "Tiếp tục"
