"""Pieces the ticket screens share: background work, the on-screen QR code, the notice band.

- ``in_background(work, done, failed)`` runs ``work()`` on a thread (it may wait on the network or
  the printer) and hands its result or exception to ``done``/``failed`` on the UI thread.
- ``QrCode``: a QR code drawn on screen (the ticket shown when it cannot be printed).
- ``NoticeBand``: a coloured band with an icon and a message (offline, printer problems).
- ``service_icon``: the icon the central service names for a service, if the icon font has it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import DictProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from kiosk.i18n import N_
from screens import fonts
from screens.widgets import Pressable

log = logging.getLogger(__name__)
DEFAULT_ICON = "confirmation_number"


def load_kv() -> None:
    """Load this module's .kv rules once (the ticket screens call it before building their layout)."""
    from pathlib import Path

    from kivy.lang import Builder

    path = str(Path(__file__).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)


def in_background(work: Callable[[], object], done: Callable[[object], None],
                  failed: Callable[[BaseException], None], name: str = "ticket-work") -> threading.Thread:
    def run() -> None:
        try:
            result = work()
        except Exception as err:  # handed to the screen, which tells the citizen
            Clock.schedule_once(lambda _dt, err=err: failed(err))
        else:
            Clock.schedule_once(lambda _dt: done(result))

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def service_icon(name: object) -> str:
    return name if isinstance(name, str) and name in fonts.codepoints() else DEFAULT_ICON


class QrCode(Image):
    """``data`` as a QR code, black on white, modules kept sharp at any size."""

    data = StringProperty("")

    def on_data(self, _widget, data: str) -> None:
        if not data:
            self.texture = None
            return
        import qrcode

        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
        code.add_data(data.encode("utf-8"))
        code.make(fit=True)
        matrix = code.get_matrix()
        size = len(matrix)
        pixels = bytes(0 if dark else 255 for row in reversed(matrix) for dark in row)
        texture = Texture.create(size=(size, size), colorfmt="luminance")
        texture.blit_buffer(pixels, colorfmt="luminance", bufferfmt="ubyte")
        texture.mag_filter = "nearest"
        texture.min_filter = "nearest"
        self.texture = texture


class NoticeBand(BoxLayout):
    """A message id shown in a coloured band; hidden while ``message`` is empty."""

    message = StringProperty("")
    #: Values the message is formatted with, e.g. ``{"number": "A012"}``.
    values = DictProperty({})
    icon = StringProperty("info")
    kind = OptionProperty("info", options=("info", "error"))


class KeyButton(Pressable):
    """One key of the on-screen keyboard: a letter, or an icon with a word."""


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def add_letter_keys(screen, type_key, delete) -> None:
    """Fill ``screen.ids.keyboard`` with A–Z and ``screen.ids.edit_keys`` with Space and Delete (their
    words follow the language); ``type_key(text)`` and ``delete()`` are called on release."""
    app = screen.app
    for key in LETTERS:
        button = KeyButton(tag=f"key:{key}", text=key)
        button.bind(on_release=lambda _b, key=key: type_key(key))
        screen.ids.keyboard.add_widget(button)
    for tag, icon, label, action, share in (("key:space", "space_bar", N_("Space"), lambda: type_key(" "), 2),
                                            ("key:delete", "backspace", N_("Delete"), delete, 1)):
        button = KeyButton(tag=tag, icon=icon, size_hint_x=share)
        button.bind(on_release=lambda _b, action=action: action())
        app.bind(language=lambda *_a, button=button, label=label: setattr(button, "text", app.t(label)))
        button.text = app.t(label)
        screen.ids.edit_keys.add_widget(button)
