"""The kiosk's Kivy application: one window, a screen manager and the bars around it.

``KioskApp(kiosk)`` takes the ``Kiosk`` built by ``kiosk.wiring.build``; screens reach it as
``app.kiosk`` and never open devices themselves. The window size and mode are set before Kivy opens
the window (``screens.window.configure``).

Every screen sits between a top bar (center, screen title, clock) and a bottom bar with back, home,
the language switch and "call staff". Navigation keeps a history of the visit: ``go(name, **params)``
remembers where the citizen came from, ``back()`` returns there, ``home()`` starts again from the
home screen, ``end_visit()`` forgets everything and shows the attract screen. Switching the language
re-labels what is on screen and keeps the visit.

"Call staff" uses ``kiosk.call_staff(screen=name)`` when the kiosk has one (it raises when the alert
could not be delivered); the citizen is told staff are coming only when that call went through.
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
from kiosk.i18n import N_
from screens import fonts, theme, widgets  # noqa: F401  (widgets: classes the .kv files use)
from screens.registry import ScreenRegistry

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
NOTICE_SECONDS = 15.0

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
        self.manager = None
        self.last_activity = time.monotonic()
        self._params: dict = {}
        self._notice_event = None
        self._ticker = None
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
        root = KioskRoot()
        self.manager = root.ids.manager
        Window.clearcolor = self.theme.colors.background
        self.bind(theme=lambda _app, theme: setattr(Window, "clearcolor", theme.colors.background))
        Window.bind(on_touch_down=self._on_activity, on_key_down=self._on_activity)
        self._show("attract", {}, remember=False)
        self._update_clock()
        return root

    def open_settings(self, *_args) -> bool:
        """Kivy opens its settings panel on F1; a citizen must never reach it."""
        return False

    def on_start(self) -> None:
        self._ticker = Clock.schedule_interval(self._tick, 1.0)

    def on_stop(self) -> None:
        from kivy.core.window import Window

        if self._ticker is not None:
            self._ticker.cancel()
        Window.unbind(on_touch_down=self._on_activity, on_key_down=self._on_activity)

    # --- navigation -------------------------------------------------------------------------------

    def go(self, name: str, **params) -> None:
        """Show screen ``name``; ``back()`` returns to the screen shown now."""
        self._show(name, params, remember=True)

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
        self.last_activity = time.monotonic()
        self.home()

    def end_visit(self) -> None:
        """Forget the visit (screens, language, speech, history) and show the attract screen."""
        for screen in self.registry.built().values():
            screen.reset()
        self.history.clear()
        self.clear_notice()
        speaker = self.kiosk.devices.speaker
        if speaker is not None:
            try:
                speaker.reset()
            except DeviceError as err:
                log.warning("speaker reset failed: %s", err)
        self.set_language(self.kiosk.config.kiosk.language, speak=False)
        self.last_activity = time.monotonic()
        self._show("attract", {}, remember=False)

    def _show(self, name: str, params: dict, *, remember: bool) -> None:
        screen = self.registry.get(name)
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
        self._update_clock()
        if speak and self.screen is not None and self.screen.guidance:
            self.say(self.screen.guidance)

    def switch_language(self) -> None:
        self.set_language(self.next_language())

    # --- speech -----------------------------------------------------------------------------------

    def say(self, message: str, **values) -> None:
        """Speak a message id in the visit's language."""
        self.say_text(self.t(message, **values))

    def say_text(self, text: str, language: str | None = None) -> None:
        """Speak text already in ``language`` (the visit's); a speaker fault never stops the visit."""
        speaker = self.kiosk.devices.speaker
        if speaker is None or not text:
            return
        try:
            speaker.say(text, language or self.language)
        except DeviceError as err:
            log.warning("speaker failed: %s", err)

    # --- help -------------------------------------------------------------------------------------

    def call_staff(self) -> None:
        call = getattr(self.kiosk, "call_staff", None)
        if call is None:
            log.warning("call staff pressed on %s, but this kiosk has no way to alert staff", self.current)
            self.show_notice(STAFF_UNREACHABLE, "error")
            return
        self.show_notice(STAFF_CALLING, "info")
        screen = self.current
        threading.Thread(target=self._call_staff, args=(call, screen), name="call-staff", daemon=True).start()

    def _call_staff(self, call, screen: str) -> None:
        try:
            call(screen=screen)
        except Exception as err:  # whatever went wrong, the citizen must not be told help is coming
            log.warning("call staff from %s failed: %s", screen, err)
            Clock.schedule_once(lambda _dt: self.show_notice(STAFF_UNREACHABLE, "error"))
        else:
            Clock.schedule_once(lambda _dt: self.show_notice(STAFF_CALLED, "ok"))

    def show_notice(self, message: str, kind: str = "info", *, speak: bool = True) -> None:
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

    def check_idle(self, now: float | None = None) -> bool:
        """End the visit when nobody has touched the kiosk for ``kiosk.idle_timeout_s``."""
        now = time.monotonic() if now is None else now
        if self.current == "attract":
            return False
        if now - self.last_activity >= self.kiosk.config.kiosk.idle_timeout_s:
            log.info("visit ended after %.0f s without a touch", now - self.last_activity)
            self.end_visit()
            return True
        return False

    def _tick(self, _dt: float) -> None:
        self._update_clock()
        self.check_idle()

    def _update_clock(self) -> None:
        self.clock_text = format_time(datetime.now(), "HH:mm", locale=self.language)
