"""The attract screen: shown between visits, it invites the next citizen.

It shows the center's name, the date and time, "touch to start" and one button per language. A touch
anywhere starts a visit in the kiosk's default language; a language button starts it in that language.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_time
from kivy.clock import Clock
from kivy.properties import StringProperty

from kiosk.i18n import N_
from screens.app import language_name
from screens.base import KioskScreen
from screens.widgets import KioskButton


class AttractScreen(KioskScreen):
    time_text = StringProperty("")
    date_text = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Welcome")
        self.guidance = ""
        self.navigation = False
        for language in self.kiosk.config.kiosk.languages:
            button = KioskButton(tag=f"lang:{language}", icon="language", text=language_name(language), speak=False)
            # each language's name is spoken in that language
            button.bind(on_press=lambda b, lang=language: self.app.say_text(b.text, lang))
            button.bind(on_release=lambda _b, lang=language: self.app.start_visit(lang))
            self.ids.languages.add_widget(button)
        self._clock = None
        self.app.bind(language=lambda *_a: self.update_clock())
        self.update_clock()

    def on_pre_enter(self, *_args) -> None:
        self.update_clock()
        if self._clock is None:
            self._clock = Clock.schedule_interval(lambda _dt: self.update_clock(), 1.0)

    def on_leave(self, *_args) -> None:
        if self._clock is not None:
            self._clock.cancel()
            self._clock = None

    def update_clock(self) -> None:
        now = datetime.now()
        language = self.app.language
        self.time_text = format_time(now, "HH:mm", locale=language)
        date = format_date(now, "full", locale=language)
        self.date_text = date[:1].upper() + date[1:]

    def on_touch_down(self, touch) -> bool:
        if super().on_touch_down(touch):
            return True
        if self.manager is not None and self.manager.current == self.name and self.collide_point(*touch.pos):
            self.app.start_visit()
            return True
        return False
