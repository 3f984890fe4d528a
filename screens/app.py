"""The kiosk's Kivy application: one window, a screen manager and the bars around it.

``KioskApp(kiosk)`` takes the ``Kiosk`` built by ``kiosk.wiring.build``; screens reach it as
``app.kiosk`` and never open devices themselves. The window size and mode are set before Kivy opens
the window (``screens.window.configure``).

Every screen sits between a top bar (center, screen title, clock) and a bottom bar with back, home,
the language switch and "call staff". Navigation keeps a history of the visit: ``go(name, **params)``
remembers where the citizen came from, ``back()`` returns there, ``home()`` starts again from the
home screen, ``end_visit()`` forgets everything and shows the attract screen. Switching the language
re-labels what is on screen and keeps the visit.

The citizen's visit (``kiosk.visits``) begins when they leave the attract screen and is wiped when it
ends: its identity (``app.identity``), form data and files. Nobody touching the kiosk for
``kiosk.idle_timeout_s`` brings up the idle warning (``screens.idle_warning``) with a countdown of
``kiosk.idle_warning_s`` (at least 20 s); any touch continues the visit, the end of the countdown
ends it.

"Call staff" uses ``kiosk.call_staff(screen=name)`` on a thread (it returns ``False`` or raises when
the alert was not accepted); the citizen is told staff are coming only when that call went through.
Screens raise their own alerts (a card to check) with ``app.call_staff(kind, detail)``.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from pathlib import Path

from babel import Locale
from babel.dates import format_time
from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from devices.errors import DeviceError
from kiosk import i18n
from kiosk.admin.hours import VIETNAM
from kiosk.i18n import N_
from kiosk.visit.idle import MSG_COUNTDOWN, MSG_STILL_THERE, WARNING, IdleTimer
from screens import fonts, idle_warning, theme, widgets  # noqa: F401  (widgets: classes the .kv files use)
from screens import admin_mode
from screens.registry import ScreenRegistry

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
NOTICE_SECONDS = 15.0
#: How often the idle timer is asked whether the warning or the end has come.
IDLE_POLL_S = 0.25

STAFF_CALLING = N_("Calling staff…")
STAFF_CALLED = N_("Staff have been called. Someone will come to help you.")
STAFF_UNREACHABLE = N_("Staff could not be reached. Please go to the reception desk.")


class KioskRoot(BoxLayout):
    """The window's only child: top bar, screen manager, notice, bottom bar (see ``app.kv``)."""


def language_name(language: str) -> str:
    """The language's own name for itself, e.g. "Tiếng Việt", "English"."""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


class KioskApp(App):
    use_kivy_settings = False
    language = StringProperty("vi")
    theme = ObjectProperty(None, rebind=True)
    #: The screen on show and its name.
    screen = ObjectProperty(None, allownone=True, rebind=True)
    current = StringProperty("")
    can_go_back = BooleanProperty(False)
    clock_text = StringProperty("")
    #: A message id shown above the bottom bar, and how it reads (information, success, failure).
    notice = StringProperty("")
    notice_kind = OptionProperty("info", options=("info", "ok", "error"))

    def __init__(self, kiosk, registry: ScreenRegistry | None = None, **kwargs):
        super().__init__(**kwargs)
        self.kiosk = kiosk
        self.registry = registry or ScreenRegistry()
        self.history: list[tuple[str, dict]] = []
        #: The last thing the kiosk said (text, language), for "Repeat".
        self.last_said: tuple[str, str] | None = None
        self.manager = None
        self.last_activity = time.monotonic()
        self._params: dict = {}
        self._notice_event = None
        self._notice_sticky = False
        self._ticker = None
        self._idle_poll = None
        self._warning = None
        #: Counts visits, so an answer that arrives after its visit ended is not shown to the next citizen.
        self._visit_number = 0
        self.idle = IdleTimer.from_config(
            kiosk.config.kiosk,
            on_warning=self._idle_warning,
            on_tick=self._idle_tick,
            on_resume=self._idle_resumed,
            on_timeout=self._idle_timed_out,
        )
        self.language = kiosk.config.kiosk.language
        self.theme = theme.for_config(kiosk.config.kiosk)
        self.title = kiosk.config.center.name

    # --- lifecycle --------------------------------------------------------------------------------

    def build(self):
        from kivy.core.window import Window

        fonts.register()
        i18n.set_default_language(self.kiosk.config.kiosk.language)
        i18n.set_language(self.language)
        for kv in ("widgets.kv", "app.kv"):
            if str(HERE / kv) not in Builder.files:
                Builder.load_file(str(HERE / kv))
        idle_warning.load()
        root = KioskRoot()
        self.manager = root.ids.manager
        Window.clearcolor = self.theme.colors.background
        self.bind(theme=lambda _app, theme: setattr(Window, "clearcolor", theme.colors.background))
        Window.bind(on_touch_down=self._on_activity, on_key_down=self._on_activity)
        admin_mode.install(self)  # the hidden gesture that opens admin mode
        self._show("attract", {}, remember=False)
        self._update_clock()
        return root

    def open_settings(self, *_args) -> bool:
        """Kivy opens its settings panel on F1; a citizen must never reach it."""
        return False

    def on_start(self) -> None:
        self._ticker = Clock.schedule_interval(self._tick, 1.0)
        self._idle_poll = Clock.schedule_interval(lambda _dt: self.poll_idle(), IDLE_POLL_S)

    def on_stop(self) -> None:
        from kivy.core.window import Window

        if self._ticker is not None:
            self._ticker.cancel()
        if self._idle_poll is not None:
            self._idle_poll.cancel()
        Window.unbind(on_touch_down=self._on_activity, on_key_down=self._on_activity)

    # --- navigation -------------------------------------------------------------------------------

    def go(self, name: str, **params) -> None:
        """Show screen ``name``; ``back()`` returns to the screen shown now."""
        self._show(name, params, remember=True)

    def replace(self, name: str, **params) -> None:
        """Show screen ``name`` instead of the one shown now: ``back()`` skips the screen shown now."""
        self._show(name, params, remember=False)

    def back(self) -> None:
        if self.history:
            name, params = self.history.pop()
            self._show(name, params, remember=False)
        else:
            self.home()

    def home(self) -> None:
        self.history.clear()
        self._show("home", {}, remember=False)

    def start_visit(self, language: str | None = None) -> None:
        """From the attract screen: a citizen has touched the kiosk."""
        if language:
            self.set_language(language, speak=False)
        self._visit_number += 1
        visits = getattr(self.kiosk, "visits", None)
        if visits is not None:
            visits.begin(self.language)
        self.idle.start()
        self.last_activity = time.monotonic()
        self.home()

    def end_visit(self, reason: str = "done") -> None:
        """Wipe the visit (identity, forms, files, screens, language, speech, history); show the attract screen.

        ``reason`` is one of ``kiosk.visit.END_REASONS`` ("done", "timeout", "cancelled"…).
        """
        self.last_said = None  # what was said may name the citizen: forgotten with the visit
        self._visit_number += 1
        self.idle.stop()
        if self._warning is not None:
            self._warning.hide(fade=False)
        for screen in self.registry.built().values():
            screen.reset()
        self.history.clear()
        self.clear_notice()
        visits = getattr(self.kiosk, "visits", None)
        if visits is not None:
            visits.end(reason)
        speaker = self.kiosk.devices.speaker
        if speaker is not None:
            try:
                speaker.reset()
            except DeviceError as err:
                log.warning("speaker reset failed: %s", err)
        self.set_language(self.kiosk.config.kiosk.language, speak=False)
        self.last_activity = time.monotonic()
        self._show("attract", {}, remember=False)

    def finish_visit(self, service: str | None = None, counter: str | None = None, *,
                     did_something: bool | None = None) -> None:
        """The end of a flow: the rating screen when the visit did something, else the end of the visit.

        A visit did something (a ticket, a dossier, a pickup) when the flow names its ``service`` or
        ``counter``, or says so with ``did_something=True``; the rating then carries them. The rating's
        "Send" or "Skip" ends the visit.
        """
        if did_something is None:
            did_something = bool(service or counter)
        if did_something and self.visit is not None and "rating" in self.registry:
            self.history.clear()
            self._show("rating", {"service": service, "counter": counter}, remember=False)
        else:
            self.end_visit("done")

    def _show(self, name: str, params: dict, *, remember: bool) -> None:
        screen = self.registry.get(name)
        if self.notice and not self._notice_sticky:
            self.clear_notice()  # it was about the screen the citizen leaves
        if remember and self.current:
            self.history.append((self.current, self._params))
        if not self.manager.has_screen(name):
            self.manager.add_widget(screen)
        screen.show(**params)
        self._params = dict(params)
        self.manager.current = name
        self.screen = screen
        self.current = name
        self.can_go_back = bool(self.history)
        if screen.guidance:
            self.say(screen.guidance)

    # --- language ---------------------------------------------------------------------------------

    def t(self, message: str, language: str | None = None, **values) -> str:
        """``message`` in ``language`` (the visit's by default). In .kv: ``app.t("Home", app.language)``."""
        if not message:
            return ""
        return i18n.translate(message, language or self.language, **values)

    def next_language(self, language: str | None = None) -> str:
        languages = list(self.kiosk.config.kiosk.languages)
        language = language or self.language
        if language not in languages:
            return languages[0]
        return languages[(languages.index(language) + 1) % len(languages)]

    def language_name(self, language: str) -> str:
        return language_name(language)

    def set_language(self, language: str, *, speak: bool = True) -> None:
        i18n.set_language(language)
        self.language = language
        if self.visit is not None:
            self.visit.language = language
        self._update_clock()
        if speak and self.screen is not None and self.screen.guidance:
            self.say(self.screen.guidance)

    def switch_language(self) -> None:
        self.set_language(self.next_language())

    # --- the visit --------------------------------------------------------------------------------

    @property
    def visit(self):
        """The citizen's ``Visit`` (``kiosk.visit``), or ``None`` between visits."""
        visits = getattr(self.kiosk, "visits", None)
        return visits.current if visits is not None else None

    @property
    def identity(self):
        """The identity the citizen confirmed in this visit (``VisitIdentity``), or ``None``."""
        visit = self.visit
        return visit.identity if visit is not None else None

    # --- speech -----------------------------------------------------------------------------------

    def say(self, message: str, **values) -> None:
        """Speak a message id in the visit's language."""
        self.say_text(self.t(message, **values))

    def say_text(self, text: str, language: str | None = None, *, remember: bool = True) -> None:
        """Speak text already in ``language`` (the visit's); a speaker fault never stops the visit.

        What is said is remembered for "Repeat", except a button's own label read on touch
        (``remember=False``): the citizen wants the screen's words again, not the button's.
        """
        speaker = self.kiosk.devices.speaker
        if speaker is None or not text:
            return
        if remember:
            self.last_said = (text, language or self.language)
        try:
            speaker.say(text, language or self.language)
        except DeviceError as err:
            log.warning("speaker failed: %s", err)

    def say_again(self) -> None:
        """"Repeat": the last thing the screen said (its guidance when it said nothing yet)."""
        speaker = self.kiosk.devices.speaker
        if speaker is None:
            return
        try:
            speaker.stop()
        except DeviceError as err:
            log.warning("speaker failed: %s", err)
        said = self.last_said
        if said is not None and said[1] == self.language:
            self.say_text(*said)
        elif self.screen is not None and self.screen.guidance:
            self.say(self.screen.guidance)

    # --- help -------------------------------------------------------------------------------------

    def call_staff(self, kind: str = "call_staff", detail: str = "", *, speak: bool = True) -> None:
        """Ask for staff to come to this screen; the notice tells the citizen whether they were reached.

        The bottom bar's button calls staff for help; a screen passes its own ``kind`` (``id_check``)
        and a ``detail`` for staff, never personal data, and ``speak=False`` when it is saying what
        happens itself.
        """
        call = self._staff_call(kind, detail)
        if call is None:
            log.warning("%s on %s, but this kiosk has no way to alert staff", kind, self.current)
            self.show_notice(STAFF_UNREACHABLE, "error", speak=speak, sticky=True)
            return
        self.show_notice(STAFF_CALLING, "info", speak=speak, sticky=True)
        screen = self.current
        visit = self._visit_number
        threading.Thread(target=self._call_staff, args=(call, screen, visit, speak), name="call-staff",
                         daemon=True).start()

    def _staff_call(self, kind: str, detail: str):
        kiosk = self.kiosk
        if kind == "call_staff":
            call = getattr(kiosk, "call_staff", None)
            own = getattr(call, "__self__", None) is kiosk
        else:
            alert = getattr(kiosk, "alert_staff", None)
            call = None if alert is None else (lambda screen: alert(kind, screen, detail))
            own = True
        if call is None or (own and getattr(kiosk, "api", None) is None):
            return None  # a kiosk built without its link to the central service
        return call

    def _call_staff(self, call, screen: str, visit: int, speak: bool) -> None:
        try:
            reached = call(screen=screen) is not False
        except Exception as err:  # whatever went wrong, the citizen must not be told help is coming
            log.warning("call staff from %s failed: %s", screen, err)
            reached = False

        def tell(_dt) -> None:
            if visit == self._visit_number:
                self.show_notice(STAFF_CALLED if reached else STAFF_UNREACHABLE, "ok" if reached else "error",
                                 speak=speak, sticky=True)

        Clock.schedule_once(tell)

    def show_notice(self, message: str, kind: str = "info", *, speak: bool = True, sticky: bool = False) -> None:
        """Show ``message`` in the band above the bottom bar for ``NOTICE_SECONDS``.

        A notice is about the screen it is shown on (shown after the screen it belongs to, e.g.
        "Document kept" on the checklist): the next screen the citizen opens takes it away. A
        ``sticky`` notice (whether staff are coming) stays while the citizen moves on.
        """
        self._notice_sticky = sticky
        self.notice_kind = kind
        self.notice = message
        if self._notice_event is not None:
            self._notice_event.cancel()
        self._notice_event = Clock.schedule_once(lambda _dt: self.clear_notice(), NOTICE_SECONDS)
        if speak:
            self.say(message)

    def clear_notice(self) -> None:
        if self._notice_event is not None:
            self._notice_event.cancel()
            self._notice_event = None
        self.notice = ""

    # --- idle -------------------------------------------------------------------------------------

    def _on_activity(self, *_args) -> None:
        self.last_activity = time.monotonic()
        self.idle.touch()

    def keep_visit(self) -> None:
        """The idle warning's "continue" (any touch does the same)."""
        self.idle.touch()

    def poll_idle(self) -> str:
        """Show the idle warning or end the visit when it is time; returns the idle timer's state."""
        return self.idle.poll()

    @property
    def idle_overlay(self) -> idle_warning.IdleWarning:
        if self._warning is None:
            self._warning = idle_warning.IdleWarning()
        return self._warning

    def _idle_warning(self, seconds: int) -> None:
        self.idle_overlay.show(seconds)
        self.say_text(f"{self.t(MSG_STILL_THERE)} {self.t(MSG_COUNTDOWN, seconds=seconds)}")

    def _idle_tick(self, seconds: int) -> None:
        self.idle_overlay.count(seconds)

    def _idle_resumed(self) -> None:
        # A touch continued the visit; the warning goes on the UI thread, after that touch has landed on it.
        def hide(_dt) -> None:
            if self._warning is not None and self.idle.state != WARNING:
                self._warning.hide()

        Clock.schedule_once(hide)

    def _idle_timed_out(self) -> None:
        log.info("visit ended: no touch during the idle warning")
        self.end_visit("timeout")

    def _tick(self, _dt: float) -> None:
        self._update_clock()

    def _update_clock(self) -> None:
        # the center's time, as on the slips, whatever zone the kiosk machine was set up in
        self.clock_text = format_time(datetime.now(VIETNAM), "HH:mm", locale=self.language)
