"""What every kiosk screen has in common.

A screen gets the running ``Kiosk`` (config, devices, later the API and the outbox) from the app; it
never opens devices itself. ``title`` and ``guidance`` are English message ids: the top bar shows the
title and the speaker says the guidance in the visit's language when the screen is entered.
"""

from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen


class KioskScreen(Screen):
    title = StringProperty("")
    guidance = StringProperty("")
    #: Show the back and home buttons in the bottom bar (not on the attract screen).
    navigation = BooleanProperty(True)

    @property
    def app(self):
        return App.get_running_app()

    @property
    def kiosk(self):
        return self.app.kiosk

    def show(self, **params) -> None:
        """Called by ``app.go`` before the screen is entered, with the parameters of the visit step."""

    def reset(self) -> None:
        """The visit ended: forget everything this screen holds about the citizen."""
