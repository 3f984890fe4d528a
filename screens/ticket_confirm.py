"""Taking a number, step 2: the chosen service, priority, and the confirming touch.

Identifying is optional: a citizen who holds the QR code of their chip ID card (CCCD) under the reader,
or who identified earlier in the visit (``app.identity``), is given priority at once when they are
``kiosk.priority_age`` or older; anyone can ask for priority
with one touch for a disability or a pregnancy. Only the card's masked number and the age are kept,
and only until the visit ends. "Get my number" takes the number and prints it; a ticket's own QR code
held under the reader shows that ticket's place in the queue instead.
"""

from __future__ import annotations

import datetime as dt
import logging

from kivy.clock import Clock
from kivy.properties import BooleanProperty, DictProperty, StringProperty

from kiosk.i18n import N_
from kiosk.tickets import TicketError
from kiosk.ticket_flow import CodeScanner
from screens.base import KioskScreen
from screens.card_scan import MSG_HOLD_CLOSER
from screens.ticket_parts import in_background, load_kv, service_icon

log = logging.getLogger(__name__)

SCAN_HINT = N_("Have your chip ID card? Hold its QR code under the reader to check for priority. This is optional.")
AGE_PRIORITY = N_("Card {card}: {age} years old. You will be served first.")
AGE_NO_PRIORITY = N_("Card {card} read. Priority is for citizens aged {limit} or older.")
#: What is said aloud instead: never the card's number, not even masked.
SAY_AGE_PRIORITY = N_("You are {age} years old. You will be served first.")
SAY_AGE_NO_PRIORITY = N_("Priority is for citizens aged {limit} or older.")
NOT_A_CARD = N_("This is not the QR code of a chip ID card. You can take a number without it.")
READER_FAILED = N_("The card reader is not working. You can take a number without it.")
PRIORITY_ASKED = N_("You asked for priority. Staff may ask to see a document.")
PRINTING = N_("Printing your number…")
CHOOSE_FIRST = N_("Please choose a service first.")
REASONS = {"disability": N_("I have a disability"), "pregnancy": N_("I am pregnant")}


class TicketConfirmScreen(KioskScreen):
    service = StringProperty("")
    service_name = StringProperty("")
    service_icon = StringProperty("confirmation_number")
    #: What the card reader said, as a message id and its values.
    card_message = StringProperty(SCAN_HINT)
    card_values = DictProperty({})
    #: Why the citizen has priority: "", "age", "disability" or "pregnancy".
    priority = StringProperty("")
    busy = BooleanProperty(False)
    problem = StringProperty("")
    offline_notice = StringProperty("")

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = N_("Get a queue number")
        self.guidance = N_("If you have your chip ID card, hold its QR code under the reader. "
                           "Then touch Get my number.")
        self.scanner = None
        self.app.bind(language=lambda *_a: self._name_service())

    @property
    def desk(self):
        return getattr(self.kiosk, "desk", None)

    # --- showing ------------------------------------------------------------------------------------

    def show(self, service: str = "", **_params) -> None:
        if service != self.service:
            self.priority = "" if self.priority != "age" else self.priority
        self.service = service
        self.problem = "" if service else CHOOSE_FIRST
        self.busy = False
        self._name_service()
        sync = getattr(self.kiosk, "sync", None)
        self.offline_notice = (sync.snapshot().notice or "") if sync is not None else ""
        identity = getattr(self.app, "identity", None)  # confirmed earlier in this visit
        if identity is not None and not self.priority:
            self._identity(identity)

    def _name_service(self) -> None:
        desk = self.desk
        if desk is None or not self.service:
            self.service_name, self.service_icon = "", "confirmation_number"
            return
        info = desk.service(self.service)
        self.service_name = desk.service_name(self.service, self.app.language) or self.service
        self.service_icon = service_icon(info.get("icon"))

    def on_enter(self, *_args) -> None:
        reader = self.kiosk.devices.qr_reader
        if reader is None or self.scanner is not None:
            return
        self.scanner = CodeScanner(
            reader,
            on_reference=lambda ref: Clock.schedule_once(lambda _dt: self._reference(ref)),
            on_identity=lambda identity: Clock.schedule_once(lambda _dt: self._identity(identity)),
            on_rejected=lambda _err: Clock.schedule_once(lambda _dt: self._card(NOT_A_CARD)),
            on_error=lambda _err: Clock.schedule_once(lambda _dt: self._card(READER_FAILED)),
            on_struggling=lambda: Clock.schedule_once(lambda _dt: self._card(MSG_HOLD_CLOSER)),
            timeout_s=None,
        ).start()

    def on_leave(self, *_args) -> None:
        if self.scanner is not None:
            self.scanner.stop(wait=None)
            self.scanner = None

    # --- the card and priority ----------------------------------------------------------------------

    def _card(self, message: str, spoken: str | None = None, **values) -> None:
        self.card_message, self.card_values = message, values
        self.app.say(spoken or message, **values)

    def _identity(self, identity) -> None:
        limit = self.kiosk.config.kiosk.priority_age
        age = identity.age(dt.date.today())
        card = identity.masked_id
        if age >= limit:
            self.priority = "age"
            self._card(AGE_PRIORITY, SAY_AGE_PRIORITY, card=card, age=age)
        else:
            if self.priority == "age":
                self.priority = ""
            self._card(AGE_NO_PRIORITY, SAY_AGE_NO_PRIORITY, card=card, limit=limit)

    def _reference(self, scanned) -> None:
        if scanned.kind == "ticket":
            self.app.go("ticket_status", handle=scanned.value)

    def ask_priority(self, reason: str) -> None:
        """The citizen touched "disability" or "pregnancy" (touching it again takes it back)."""
        self.priority = "" if self.priority == reason else reason
        if self.priority:
            self.app.say(PRIORITY_ASKED)

    # --- taking the number ----------------------------------------------------------------------------

    def confirm(self) -> None:
        desk = self.desk
        if desk is None or not self.service or self.busy:
            return
        self.busy = True
        self.problem = ""
        service, priority, language = self.service, bool(self.priority), self.app.language
        self.app.say(PRINTING)
        in_background(lambda: desk.take(service, priority, language), self._taken, self._refused, name="ticket-take")

    def _taken(self, issued) -> None:
        self.busy = False
        self.app.go("ticket_result", issued=issued)

    def _refused(self, err: BaseException) -> None:
        self.busy = False
        if isinstance(err, TicketError):
            log.info("no number taken: %s", err)
            self.problem = err.citizen_message
        else:
            log.error("no number taken: %s: %s", type(err).__name__, err)
            self.problem = N_("The kiosk cannot issue a number right now. Please ask the staff at the reception desk.")
        self.app.say(self.problem)

    def reset(self) -> None:
        self.on_leave()
        self.service = self.service_name = self.priority = self.problem = ""
        self.card_message, self.card_values = SCAN_HINT, {}
        self.busy = False
