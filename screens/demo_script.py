"""The scripted visit of the headless ``kiosk demo``: a list of steps, each a real touch on screen.

It identifies a made-up citizen by holding their card's payload to the simulated QR reader, and
lets the idle timeout pass at once (``SkippableClock``) to show the warning and the wipe.

A step does one thing a citizen would do (tap a tile, go back, switch language), names the screen that
must be showing afterwards, may check more, and leaves a screenshot named after itself. Later work
adds steps for its own flow (ticket, identify, submit, look up, pick up, rate) by extending
``default_steps``; the runner stops at the first step that does not do what it says.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
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


class SkippableClock:
    """``time.monotonic`` that can jump ahead: the scripted visit's way to let a minute pass at once."""

    def __init__(self, base: Callable[[], float] = time.monotonic):
        self.base = base
        self.offset = 0.0

    def __call__(self) -> float:
        return self.base() + self.offset

    def skip(self, seconds: float) -> None:
        self.offset += seconds


def let_time_pass(driver: ScreenDriver, seconds: float) -> None:
    """Nobody touches the kiosk for ``seconds``: the idle timer's clock jumps ahead and is asked at once."""
    timer = driver.app.idle
    if not isinstance(timer.clock, SkippableClock):
        timer.clock = SkippableClock(timer.clock)
    timer.clock.skip(seconds)
    driver.app.poll_idle()
    driver.frames(2)


def idle_warning(driver: ScreenDriver) -> None:
    """Nobody touches the kiosk for the configured idle time: the warning comes up."""
    let_time_pass(driver, driver.app.kiosk.config.kiosk.idle_timeout_s)


def idle_timeout(driver: ScreenDriver) -> None:
    """Nobody touches the kiosk during the warning either: the visit ends."""
    let_time_pass(driver, driver.app.kiosk.config.kiosk.idle_warning_s)


def warning_counts_down(driver: ScreenDriver) -> str | None:
    overlay = driver.app.idle_overlay
    if not overlay.shown:
        return "no idle warning is showing"
    if overlay.seconds < 20:
        return f"the idle warning counts down from {overlay.seconds} s, less than 20 s"
    return None


def visit_wiped(driver: ScreenDriver) -> str | None:
    """The visit is over and nothing of it is left: no identity, no visit folder."""
    app = driver.app
    visits = getattr(app.kiosk, "visits", None)
    if app.identity is not None or app.visit is not None:
        return "the visit is still open after it ended"
    if visits is not None and visits.root.exists() and any(visits.root.iterdir()):
        return f"visit files are left in {visits.root}"
    if app.idle_overlay.shown:
        return "the idle warning is still showing"
    return None


# --- identifying with the simulated QR reader ----------------------------------------------------

INVENTED_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi")
INVENTED_MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu")
INVENTED_GIVEN = ("An", "Bình", "Hà", "Khánh", "Lan", "Phúc", "Quỳnh", "Tuấn")
INVENTED_PLACES = ("Xóm Đình, xã Hợp Thịnh, tỉnh Bắc Ninh", "Thôn Trung, xã Hợp Thịnh, tỉnh Bắc Ninh")


def invented_cccd_payload(seed: int = 0, today: dt.date | None = None) -> str:
    """The QR payload of a made-up citizen's chip ID card; its number agrees with sex and birth year."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    born = dt.date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
    female = rng.random() < 0.5
    digit = (born.year - 1900) // 100 * 2 + (1 if female else 0)
    id_number = f"027{digit}{born.year % 100:02d}{rng.randint(0, 999999):06d}"
    issued = dt.date(min(today.year, 2023), rng.randint(1, 12), rng.randint(1, 28))
    issued = min(issued, today)
    name = f"{rng.choice(INVENTED_FAMILY)} {rng.choice(INVENTED_MIDDLE)} {rng.choice(INVENTED_GIVEN)}"
    fields = [id_number, "", name, born.strftime("%d%m%Y"), "Nữ" if female else "Nam",
              rng.choice(INVENTED_PLACES), issued.strftime("%d%m%Y")]
    return "|".join(fields)


#: The longest the scripted visit waits for the reader's thread (a busy machine is slow to start one).
READ_WAIT_S = 15.0


def show_card(payload: str) -> Callable[[ScreenDriver], None]:
    """Open the identify screen and hold a card with ``payload`` to the (simulated) reader."""

    def action(driver: ScreenDriver) -> None:
        reader = driver.app.kiosk.devices.qr_reader
        if not hasattr(reader, "push"):
            raise DriverError('reading a card in the scripted visit needs the simulated QR reader '
                              '(devices.qr_reader = "sim://")')
        driver.tap("tile:identify")
        screen = driver.app.screen
        if not driver.wait_until(lambda: screen.scan.running, READ_WAIT_S):
            raise DriverError("the identify screen did not start reading cards")
        reader.push(payload)
        if not driver.wait_until(lambda: screen.state != "scanning", READ_WAIT_S):
            raise DriverError("the card held to the reader was not read")
        driver.frames(2)

    return action


def card_shown_for_confirmation(driver: ScreenDriver) -> str | None:
    screen = driver.app.screen
    if screen.state != "confirm":
        return f"the identify screen shows {screen.state!r}, not the name to confirm"
    number = screen.panels["confirm"].ids.number.text
    if not screen.panels["confirm"].ids.name.text or "•" not in number:
        return "the name and the masked ID number are not on screen"
    return None


def identity_kept(driver: ScreenDriver) -> str | None:
    identity = driver.app.identity
    if identity is None:
        return "the confirmed identity is not in the visit"
    return None


def default_steps(registry, language: str, languages: tuple[str, ...], staff=None) -> list[Step]:
    """Start, open every home tile and come back, identify, take numbers, digitize, submit a dossier and
    (with ``staff``, a ``screens.dossier_demo.StaffDesk``) pick its result up, switch language, call staff,
    walk away."""
    steps = [
        Step("attract", nothing, "attract"),
        Step("home", tap("start"), "home", language_is(language)),
    ]
    for task in TASKS:
        target = _target(task, registry)
        check = title_is(task.label) if target == "coming_soon" else None
        steps.append(Step(task.screen, tap(f"tile:{task.screen}"), target, check))
        steps.append(Step(f"{task.screen}-back", tap("nav:back"), "home", screenshot=False))
    if "identify" in registry:
        steps += [
            Step("identify-card", show_card(invented_cccd_payload()), "identify", card_shown_for_confirmation),
            Step("identify-confirmed", tap("identify:confirm"), "home", identity_kept),
        ]
    if "ticket" in registry:
        from screens.ticket_demo import ticket_steps

        steps += ticket_steps()
    if "digitize" in registry:
        from screens.digitize_demo import digitize_steps

        steps += digitize_steps()
    if "dossier_form" in registry and "procedures" in registry:
        from screens.dossier_demo import dossier_steps

        steps += dossier_steps(invented_cccd_payload(), staff if "dossier_pickup" in registry else None)
        steps.append(Step("home-again", tap("start"), "home", screenshot=False))
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
        Step("idle-warning", idle_warning, "home", warning_counts_down),
        Step("idle-timeout", idle_timeout, "attract", lambda d: language_is(language)(d) or visit_wiped(d)),
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
