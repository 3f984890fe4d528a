"""Widgets every screen is made of; their look is in ``widgets.kv``.

- ``KioskLabel``: wrapped text in the kiosk font, sized by the theme.
- ``IconLabel``: one Material icon, by name.
- ``KioskButton``: an icon over a word; at least 15 mm in each direction.
- ``Tile``: a large choice with an icon, a label and a one-line hint.

Pressables speak their label when touched (for citizens who cannot read) and carry a ``tag`` that
names them for the scripted visit and the tests ("tile:ticket", "nav:home").
"""

from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label


class KioskLabel(Label):
    pass


class IconLabel(Label):
    icon = StringProperty("")


class Pressable(ButtonBehavior, BoxLayout):
    """Base of everything a citizen can touch."""

    tag = StringProperty("")
    style = OptionProperty("button", options=("tile", "button", "alert"))
    icon = StringProperty("")
    text = StringProperty("")
    #: Speak ``text`` on touch, in the visit's language.
    speak = BooleanProperty(True)

    def on_press(self) -> None:
        app = App.get_running_app()
        if self.speak and self.text and app is not None:
            app.say_text(self.text, remember=False)


class KioskButton(Pressable):
    pass


class Tile(Pressable):
    hint = StringProperty("")
