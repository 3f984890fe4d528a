"""The idle warning: "Are you still there?", a countdown, and one large "continue" button.

It covers the whole window (a modal view) when the visit's ``IdleTimer`` warns, and goes away when the
citizen touches anything. The app owns it: ``show(seconds)`` when the warning starts, ``count(seconds)``
on every whole second, ``hide()`` when the visit continues, ``hide(fade=False)`` when it ends. Its
layout is ``idle_warning.kv``; what it says is ``kiosk.visit.idle``'s.
"""

from __future__ import annotations

from pathlib import Path

from kivy.animation import Animation
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.modalview import ModalView

KV = str(Path(__file__).with_suffix(".kv"))


def load() -> None:
    """Load the layout once (the app calls this when it builds its root)."""
    if KV not in Builder.files:
        Builder.load_file(KV)


class IdleWarning(ModalView):
    #: Whole seconds until the visit ends.
    seconds = NumericProperty(0)
    #: The warning is up (it may still be fading out after ``hide``; this is already false then).
    shown = BooleanProperty(False)

    def __init__(self, **kwargs):
        kwargs.setdefault("auto_dismiss", False)
        super().__init__(**kwargs)

    def show(self, seconds: int) -> None:
        self.seconds = seconds
        self.shown = True
        if self._is_open:  # still fading out from the last warning
            Animation.cancel_all(self, "_anim_alpha")
            self._anim_alpha = 1.0
        else:
            self.open(animation=False)

    def count(self, seconds: int) -> None:
        self.seconds = seconds

    def hide(self, fade: bool = True) -> None:
        """Take the warning away; after a touch it fades, so that touch lands here, not on the screen below."""
        self.shown = False
        self.dismiss(animation=fade)
