"""The closed notice: a full-window cover over the attract screen while the kiosk is locked.

Locked by the opening hours it says when the kiosk opens again (``kiosk.admin.hours``); locked by staff
it sends citizens to the reception desk. Like the idle warning it is an overlay, not a screen: nothing
under it can be touched, not even the bars, and it needs no place in the screen registry. While open it
checks every few seconds and goes away once the kiosk is open again. Staff reach admin mode from
here with the hidden gesture (``screens.admin_mode`` sees touches before any widget does).
"""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.modalview import ModalView

KV = str(Path(__file__).with_suffix(".kv"))
CHECK_S = 5.0


def load() -> None:
    if KV not in Builder.files:
        Builder.load_file(KV)


class ClosedNotice(ModalView):
    notice = StringProperty("")
    #: Locked by staff (not by the opening hours): no point in telling citizens to come back later.
    by_staff = BooleanProperty(False)
    shown = BooleanProperty(False)

    def __init__(self, **kwargs):
        load()
        kwargs.setdefault("auto_dismiss", False)
        super().__init__(**kwargs)
        self._check = None

    def show(self, notice: str, by_staff: bool) -> None:
        self.notice, self.by_staff = notice, by_staff
        if not self.shown:
            self.shown = True
            self.open(animation=False)
            self._check = Clock.schedule_interval(lambda _dt: self._recheck(), CHECK_S)
            app = App.get_running_app()
            if app is not None:
                app.say_text(notice)

    def hide(self) -> None:
        if self._check is not None:
            self._check.cancel()
            self._check = None
        if self.shown:
            self.shown = False
            self.dismiss(animation=False)

    def _recheck(self) -> None:
        from screens import admin_mode

        app = App.get_running_app()
        if app is not None:
            admin_mode.check_lock(app)
