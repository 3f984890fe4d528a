"""Rate the service: four large faces, then optional reasons, then "Send" — or "Skip".

Shown at the end of every visit that did something (``app.finish_visit``, with the visit's service and
counter when known) and from the home tile (no service). The faces go from 4 "very satisfied" to 1
"not satisfied"; the reasons are icon buttons (``kiosk.dossiers.RATING_REASONS``), any number of them.
"Send" records the rating anonymously through the outbox (``kiosk.dossiers.rate``), thanks the
citizen and ends the visit after a few seconds; "Skip" ends it at once.
"""

from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, OptionProperty, StringProperty

from kiosk.dossiers import RATING_REASONS
from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.ticket_parts import in_background, load_kv
from screens.widgets import Pressable

log = logging.getLogger(__name__)

#: score -> (icon, label), best first as on screen.
FACES = (
    (4, "sentiment_very_satisfied", N_("Very satisfied")),
    (3, "sentiment_satisfied", N_("Satisfied")),
    (2, "sentiment_dissatisfied", N_("Not quite satisfied")),
    (1, "sentiment_very_dissatisfied", N_("Not satisfied")),
)
ASK = N_("How satisfied are you with the service today? Touch a face.")
ASK_REASONS = N_("Thank you. If you like, touch what mattered most, then touch Send.")
SENDING = N_("Sending your rating…")
THANKS = N_("Thank you for your rating! Goodbye.")
FAILED = N_("Your rating could not be recorded. Thank you all the same.")
#: Seconds the thank-you stays on screen before the visit ends.
THANKS_S = 3.0


class Face(Pressable):
    """One of the four faces: a very large icon over its word."""

    score = NumericProperty(0)
    chosen = BooleanProperty(False)


class ReasonButton(Pressable):
    """A reason to touch (again to take it back): an icon over a short word."""

    reason = StringProperty("")
    chosen = BooleanProperty(False)


class RatingScreen(KioskScreen):
    score = NumericProperty(0)
    reasons = ListProperty([])
    state = OptionProperty("asking", options=("asking", "sending", "thanks"))
    message = StringProperty(ASK)

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = N_("Rate the service")
        self.guidance = ASK
        self.service: str | None = None
        self.counter: str | None = None
        self._end_event = None
        self._run = 0
        self.faces: dict[int, Face] = {}
        self.reason_buttons: dict[str, ReasonButton] = {}
        for score, icon, label in FACES:
            face = Face(tag=f"rating:face:{score}", score=score, icon=icon, style="button")
            face.bind(on_release=lambda _f, score=score: self.choose(score))
            self.faces[score] = face
            self.ids.faces.add_widget(face)
        for reason, icon, label in RATING_REASONS:
            button = ReasonButton(tag=f"rating:reason:{reason}", reason=reason, icon=icon, style="button")
            button.bind(on_release=lambda _b, reason=reason: self.toggle(reason))
            self.reason_buttons[reason] = button
            self.ids.reasons.add_widget(button)
        self.app.bind(language=lambda *_a: self._label())
        self.bind(score=lambda *_a: self._mark(), reasons=lambda *_a: self._mark(),
                  state=lambda _s, state: setattr(self, "navigation", state == "asking"))
        self._label()

    def _label(self) -> None:
        t = self.app.t
        for score, _icon, label in FACES:
            self.faces[score].text = t(label)
        for reason, _icon, label in RATING_REASONS:
            self.reason_buttons[reason].text = t(label)

    def _mark(self) -> None:
        for score, face in self.faces.items():
            face.chosen = score == self.score
            face.style = "tile" if face.chosen else "button"
        for reason, button in self.reason_buttons.items():
            button.chosen = reason in self.reasons
            button.style = "tile" if button.chosen else "button"

    # --- showing ----------------------------------------------------------------------------------

    def show(self, service: str | None = None, counter: str | None = None, **_params) -> None:
        self._cancel_end()
        self._run += 1
        self.service, self.counter = service or None, counter or None
        self.score = 0
        self.reasons = []
        self.state = "asking"
        self.message = ASK

    # --- what the citizen can do ------------------------------------------------------------------

    def choose(self, score: int) -> None:
        if self.state != "asking":
            return
        self.score = score
        self.message = ASK_REASONS
        self.app.say(ASK_REASONS)

    def toggle(self, reason: str) -> None:
        if self.state != "asking" or not self.score:
            return
        self.reasons = [r for r in self.reasons if r != reason] if reason in self.reasons else self.reasons + [reason]

    def send(self) -> None:
        dossiers = getattr(self.kiosk, "dossiers", None)
        if self.state != "asking" or not self.score:
            return
        if dossiers is None:
            self._thank(FAILED)
            return
        self.state = "sending"
        self.message = SENDING
        run = self._run
        score, reasons, service, counter = self.score, list(self.reasons), self.service, self.counter

        def done(_result) -> None:
            if run == self._run:
                self._thank(THANKS)

        def failed(err) -> None:
            if run == self._run:
                log.error("rating not recorded: %s", type(err).__name__)
                self._thank(FAILED)

        in_background(lambda: dossiers.rate(score, reasons, service, counter), done, failed, name="rating")

    def skip(self) -> None:
        self.app.end_visit("done")

    def _thank(self, message: str) -> None:
        self.state = "thanks"
        self.message = message
        self.app.say(message)
        self._cancel_end()
        run = self._run
        self._end_event = Clock.schedule_once(lambda _dt: self._end(run), THANKS_S)

    def _end(self, run: int) -> None:
        self._end_event = None
        if run == self._run and self.app.current == self.name:
            self.app.end_visit("done")

    def _cancel_end(self) -> None:
        if self._end_event is not None:
            self._end_event.cancel()
            self._end_event = None

    def reset(self) -> None:
        self._cancel_end()
        self._run += 1
        self.service = self.counter = None
        self.score = 0
        self.reasons = []
        self.state = "asking"
        self.message = ASK
