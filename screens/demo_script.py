"""The scripted visit of the headless ``kiosk demo``: a list of steps, each a real touch on screen.

A step does one thing a citizen would do (tap a tile, go back, switch language), names the screen that
must be showing afterwards, may check more, and leaves a screenshot named after itself. Later work
adds steps for its own flow (ticket, identify, submit, look up, pick up, rate) by extending
``default_steps``; the runner stops at the first step that does not do what it says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from screens.app import STAFF_CALLED, STAFF_CALLING, STAFF_UNREACHABLE
from screens.driver import DriverError, ScreenDriver
from screens.home import TASKS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    name: str
    action: Callable[[ScreenDriver], None]
    #: The screen that must be showing after the action.
    expect: str
    #: Returns a problem for the operator, or ``None`` when all is as it should be.
    check: Callable[[ScreenDriver], str | None] | None = None
    screenshot: bool = True


@dataclass
class VisitResult:
    screens: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    failure: str | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def tap(tag: str) -> Callable[[ScreenDriver], None]:
    return lambda driver: driver.tap(tag)


def nothing(_driver: ScreenDriver) -> None:
    return None


def language_is(language: str) -> Callable[[ScreenDriver], str | None]:
    def check(driver: ScreenDriver) -> str | None:
        if driver.app.language != language:
            return f"the visit's language is {driver.app.language!r}, expected {language!r}"
        return None

    return check


def title_is(message: str) -> Callable[[ScreenDriver], str | None]:
    def check(driver: ScreenDriver) -> str | None:
        title = driver.app.screen.title if driver.app.screen else ""
        if title != message:
            return f"the screen's title is {title!r}, expected {message!r}"
        return None

    return check


def staff_answered(driver: ScreenDriver) -> str | None:
    """After "call staff": the citizen is told whether staff were reached."""
    driver.wait_until(lambda: driver.app.notice not in ("", STAFF_CALLING))
    if driver.app.notice not in (STAFF_CALLED, STAFF_UNREACHABLE):
        return f"after calling staff the kiosk shows {driver.app.notice!r}"
    return None


def idle_timeout(driver: ScreenDriver) -> None:
    """Nobody touches the kiosk for the configured idle time."""
    app = driver.app
    app.check_idle(app.last_activity + app.kiosk.config.kiosk.idle_timeout_s)
    driver.frames(2)


def default_steps(registry, language: str, languages: tuple[str, ...]) -> list[Step]:
    """Start, open every home tile and come back, switch language, call staff, walk away."""
    steps = [
        Step("attract", nothing, "attract"),
        Step("home", tap("start"), "home", language_is(language)),
    ]
    for task in TASKS:
        target = _target(task, registry)
        check = title_is(task.label) if target == "coming_soon" else None
        steps.append(Step(task.screen, tap(f"tile:{task.screen}"), target, check))
        steps.append(Step(f"{task.screen}-back", tap("nav:back"), "home", screenshot=False))
    others = [other for other in languages if other != language]
    if others:
        other = others[0]
        steps += [
            Step(f"home-{other}", tap("nav:language"), "home", language_is(other)),
            Step(f"{TASKS[0].screen}-{other}", tap(f"tile:{TASKS[0].screen}"), _target(TASKS[0], registry)),
            Step(f"home-from-{TASKS[0].screen}", tap("nav:home"), "home", screenshot=False),
        ]
    steps += [
        Step("call-staff", tap("nav:staff"), "home", staff_answered),
        Step("idle-timeout", idle_timeout, "attract", language_is(language)),
    ]
    return steps


def _target(task, registry) -> str:
    return task.screen if task.screen in registry else "coming_soon"


def run_visit(driver: ScreenDriver, steps: list[Step], out_dir: Path) -> VisitResult:
    """Carry out ``steps`` in order, screenshotting into ``out_dir``; stop at the first failure.

    The screen as it was when a step failed is kept as ``NN-<step>-failed.png``.
    """
    app = driver.app
    result = VisitResult()
    for number, step in enumerate(steps, 1):
        problem = _attempt(driver, step)
        if problem:
            result.failure = f"step {number} ({step.name}): {problem}"
            result.files.append(driver.screenshot(out_dir / f"{number:02d}-{step.name}-failed.png"))
            return result
        if not result.screens or result.screens[-1] != app.current:
            result.screens.append(app.current)
        if step.screenshot:
            result.files.append(driver.screenshot(out_dir / f"{number:02d}-{step.name}.png"))
    return result


def _attempt(driver: ScreenDriver, step: Step) -> str | None:
    try:
        step.action(driver)
    except DriverError as err:
        return str(err)
    except Exception as err:  # a screen's bug ends the visit with its name, not a traceback
        log.debug("step %s raised", step.name, exc_info=True)
        return f"{type(err).__name__}: {err}"
    if driver.app.current != step.expect:
        return f"expected the {step.expect!r} screen, but {driver.app.current!r} is showing"
    return step.check(driver) if step.check else None
