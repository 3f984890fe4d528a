"""A ticket's live place in the queue, shown when its QR code is held under the kiosk's reader.

The ticket is looked up at the central service (``GET /api/v1/tickets/{reference}``; a ticket this
kiosk drew offline is found through the kiosk's own record of it). The screen shows the number, what
is happening to it (waiting with people ahead and the wait, called to a counter, served, cancelled)
and says it aloud; "Refresh" asks again.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import N_
from kiosk.printing.ticket import NEXT, PEOPLE_AHEAD, WAIT
from kiosk.tickets import TicketError
from kiosk.ticket_flow import MSG_UNKNOWN_TICKET
from screens.base import KioskScreen
from screens.ticket_parts import in_background, load_kv

LOOKING = N_("Looking up your ticket…")
STATUS = {
    "waiting": N_("Waiting to be called."),
    "called": N_("Your number has been called: please go to counter {counter} now."),
    "served": N_("This number has already been served."),
    "no_show": N_("This number was called, but nobody came. Please ask at the reception desk."),
    "voided": N_("This number was cancelled. Please take a new number."),
}
SCAN_TICKET = N_("Hold the QR code of your ticket under the reader.")


class TicketStatusScreen(KioskScreen):
    handle = StringProperty("")
    number = StringProperty("")
    state_text = StringProperty("")
    details = StringProperty("")
    message = StringProperty("")
    busy = BooleanProperty(False)

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = N_("Your place in the queue")
        self.guidance = ""
        self.ticket = None
        self.app.bind(language=lambda *_a: self._describe())

    @property
    def desk(self):
        return getattr(self.kiosk, "desk", None)

    def show(self, handle: str = "", **_params) -> None:
        self.handle = handle
        self.ticket = None
        self.message = "" if handle else SCAN_TICKET
        self._describe()
        if handle:
            self.refresh()
        else:
            self.app.say(SCAN_TICKET)

    def refresh(self) -> None:
        desk, handle = self.desk, self.handle
        if desk is None or not handle or self.busy:
            return
        self.busy = True
        self.message = LOOKING

        def done(ticket) -> None:
            self.busy = False
            self.ticket, self.message = ticket, ""
            self._describe()
            self.app.say_text(" ".join(filter(None, [self.number, self.state_text, self.details.replace("\n", " ")])))

        def failed(err) -> None:
            self.busy = False
            self.message = err.citizen_message if isinstance(err, TicketError) else MSG_UNKNOWN_TICKET
            self.app.say(self.message)

        in_background(lambda: desk.lookup(handle), done, failed, name="ticket-lookup")

    def _describe(self) -> None:
        ticket, t = self.ticket, self.app.t
        if ticket is None:
            self.number = self.state_text = self.details = ""
            return
        self.number = ticket.number
        self.state_text = t(STATUS.get(ticket.status, STATUS["waiting"]), counter=ticket.counter or "")
        lines = []
        if ticket.status == "waiting" and ticket.position == 0:
            lines.append(t(NEXT))
        elif ticket.status == "waiting" and ticket.position is not None:
            lines.append(t(PEOPLE_AHEAD, count=ticket.position))
            if ticket.estimated_wait_minutes is not None:
                lines.append(t(WAIT, minutes=ticket.estimated_wait_minutes))
        self.details = "\n".join(lines)

    def reset(self) -> None:
        self.handle = ""
        self.ticket = None
        self.message = ""
        self._describe()
