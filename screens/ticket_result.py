"""Taking a number, step 3: the number, very large, with the counter, people ahead and the wait.

Everything on it is also said aloud. When the slip printed, "Print a copy" is offered for a short time;
when the printer failed, the screen says what to do, "Try again" prints the same number once the fault
is cleared and "Cancel" gives it up (so does leaving the screen: the number is voided, never left
waiting in the queue for nobody). When the kiosk may show numbers on screen and the printer cannot
print, the number's QR code is shown to photograph. A number drawn offline says that it is valid.
"""

from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.properties import BooleanProperty, DictProperty, ObjectProperty, StringProperty

from kiosk.i18n import N_
from kiosk.printing.ticket import COUNTER, NEXT, PEOPLE_AHEAD, WAIT
from kiosk.sync import OFFLINE_NOTICE
from screens.base import KioskScreen
from screens.ticket_parts import in_background, load_kv
from screens.widgets import Tile

log = logging.getLogger(__name__)

TAKE_IT = N_("Please take your ticket from the printer.")
SPOKEN = N_("Your number is {number}.")
SPOKEN_COUNTER = N_("Please wait for counter {counters}.")
SPOKEN_AHEAD = N_("{count} people are ahead of you, about {minutes} minutes.")
NO_TICKET = N_("No number has been taken yet.")
#: The buttons under the number: tag, style, icon, label, method.
ACTIONS = {
    "retry": ("ticket:retry", "tile", "print", N_("Try again")),
    "cancel": ("ticket:cancel", "button", "close", N_("Cancel")),
    "copy": ("ticket:copy", "button", "content_copy", N_("Print a copy")),
    "done": ("ticket:done", "tile", "done", N_("Done")),
    "take": ("ticket:again", "tile", "confirmation_number", N_("Get a queue number")),
}


def spelled(number: str) -> str:
    """``K1-A012`` as it is read out: one sign at a time."""
    return " ".join(ch for ch in number if ch != "-")


class TicketResultScreen(KioskScreen):
    issued = ObjectProperty(None, allownone=True)
    number = StringProperty("")
    details = StringProperty("")
    counter_text = StringProperty("")
    service_name = StringProperty("")
    message = StringProperty("")
    message_values = DictProperty({})
    message_kind = StringProperty("info")
    offline_notice = StringProperty("")
    qr = StringProperty("")
    can_retry = BooleanProperty(False)
    can_copy = BooleanProperty(False)
    busy = BooleanProperty(False)
    priority = BooleanProperty(False)

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = N_("Your number")
        self.guidance = ""
        self._copy_timer = None
        self._shown_actions: tuple[str, ...] = ()
        self.app.bind(language=lambda *_a: (self._describe(), self._update_actions()))
        self.bind(can_retry=self._update_actions, can_copy=self._update_actions, busy=self._update_actions,
                  issued=self._update_actions)
        self._update_actions()

    @property
    def desk(self):
        return getattr(self.kiosk, "desk", None)

    def show(self, issued=None, **_params) -> None:
        if issued is not self.issued:
            self._give_up()
        self.issued = issued
        self._describe()
        self._speak()

    # --- what the screen says -----------------------------------------------------------------------

    def _describe(self) -> None:
        issued = self.issued
        if issued is None:
            self.number = self.details = self.counter_text = self.service_name = self.qr = ""
            self.message, self.message_values, self.message_kind = NO_TICKET, {}, "info"
            self.can_retry = self.can_copy = self.priority = False
            self.offline_notice = ""
            return
        ticket, t = issued.ticket, self.app.t
        self.number = ticket.number
        self.priority = ticket.priority
        self.service_name = self.desk.service_name(ticket.service, self.app.language) if self.desk else ""
        counters = ", ".join(issued.slip.counters)
        self.counter_text = t(COUNTER, counters=counters) if counters else ""
        lines = []
        if ticket.position == 0:
            lines.append(t(NEXT))
        elif ticket.position is not None:
            lines.append(t(PEOPLE_AHEAD, count=ticket.position))
            if ticket.estimated_wait_minutes is not None:
                lines.append(t(WAIT, minutes=ticket.estimated_wait_minutes))
        self.details = "\n".join(lines)
        self.offline_notice = OFFLINE_NOTICE if ticket.offline else ""
        self.qr = issued.slip.qr if issued.state == "shown" else ""
        self.can_retry = issued.state == "failed"
        self._update_copy()
        if issued.message:
            self.message, self.message_values = issued.message, {"number": ticket.number}
            self.message_kind = "info" if issued.state in ("shown", "printed") else "error"
        elif issued.state == "printed":
            self.message, self.message_values, self.message_kind = TAKE_IT, {}, "info"
        else:
            self.message = ""

    def _update_copy(self, *_args) -> None:
        issued, desk = self.issued, self.desk
        self.can_copy = bool(issued is not None and desk is not None and issued.state == "printed"
                             and issued.reprint_until is not None and desk.clock() < issued.reprint_until)
        if self._copy_timer is not None:
            self._copy_timer.cancel()
            self._copy_timer = None
        if self.can_copy:
            self._copy_timer = Clock.schedule_once(self._update_copy, max(0.5, issued.reprint_until - desk.clock()))

    def _speak(self) -> None:
        issued = self.issued
        if issued is None:
            self.app.say(NO_TICKET)
            return
        ticket = issued.ticket
        parts = []
        if issued.state in ("printed", "shown"):
            parts.append(self.app.t(SPOKEN, number=spelled(ticket.number)))
            counters = " ".join(issued.slip.counters)
            if counters:
                parts.append(self.app.t(SPOKEN_COUNTER, counters=counters))
            if ticket.position:
                parts.append(self.app.t(SPOKEN_AHEAD, count=ticket.position, minutes=ticket.estimated_wait_minutes or 0))
            elif ticket.position == 0:
                parts.append(self.app.t(NEXT))
        if self.message:
            parts.append(self.app.t(self.message, **self.message_values))
        self.app.say_text(" ".join(parts))

    # --- what the citizen can do --------------------------------------------------------------------

    def _update_actions(self, *_args) -> None:
        if self.issued is None:
            names = ("take",)
        elif self.can_retry:
            names = ("retry", "cancel")
        else:
            names = ("copy", "done") if self.can_copy else ("done",)
        box = self.ids.actions
        if names != self._shown_actions:
            box.clear_widgets()
            for name in names:
                tag, style, icon, label = ACTIONS[name]
                tile = Tile(tag=tag, style=style, icon=icon, hint="", text=self.app.t(label))
                tile.size_hint_y = 1
                tile.bind(on_release=lambda _t, name=name: getattr(self, name)())
                box.add_widget(tile)
            self._shown_actions = names
        for tile in box.children:
            tile.disabled = self.busy
            tile.text = self.app.t(next(a[3] for a in ACTIONS.values() if a[0] == tile.tag))

    def take(self) -> None:
        self.app.go("ticket")

    def retry(self) -> None:
        self._act(lambda desk, issued: desk.retry(issued))

    def copy(self) -> None:
        self._act(lambda desk, issued: desk.reprint(issued))

    def cancel(self) -> None:
        self._act(lambda desk, issued: desk.abandon(issued))

    def _act(self, action) -> None:
        desk, issued = self.desk, self.issued
        if desk is None or issued is None or self.busy:
            return
        self.busy = True

        def done(_result) -> None:
            self.busy = False
            self._describe()
            self._speak()

        def failed(err) -> None:
            self.busy = False
            log.error("ticket action failed: %s: %s", type(err).__name__, err)
            self._describe()

        in_background(lambda: action(desk, issued), done, failed, name="ticket-action")

    def done(self) -> None:
        issued = self.issued
        if issued is None or issued.state not in ("printed", "shown"):
            self.app.end_visit()
            return
        ticket, counters = issued.ticket, issued.slip.counters
        counter = ticket.counter or (counters[0] if len(counters) == 1 else None)
        self.app.finish_visit(service=ticket.service, counter=counter)

    def on_leave(self, *_args) -> None:
        self._give_up()

    def _give_up(self) -> None:
        """Leaving a number that never printed voids it (on a thread: it writes to the outbox)."""
        issued, desk = self.issued, self.desk
        if issued is not None and desk is not None and issued.state in ("failed", "pending"):
            in_background(lambda: desk.abandon(issued), lambda _r: None,
                          lambda err: log.error("void failed: %s", type(err).__name__), name="ticket-void")

    def reset(self) -> None:
        self._give_up()
        if self._copy_timer is not None:
            self._copy_timer.cancel()
            self._copy_timer = None
        self.issued = None
        self._describe()
