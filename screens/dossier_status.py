"""A dossier's public view: its status in words with an icon, and the expected result date.

Anyone holding the slip may see this much (``kiosk.dossiers.lookup``); nothing about the owner is
shown. "See details" asks for the owner's chip ID card first (the identify screen, which then opens
``dossier_details``); a card already confirmed in this visit is used at once, unless it was found not
to be this dossier's owner. For a result that is ready, "I am collecting for someone else" calls
staff.

The helpers here (status icons and words, dates in the visit's language, calling staff for an
authorised pickup) are shared with the details and pickup screens.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_datetime
from kivy.properties import BooleanProperty, DictProperty, StringProperty

from kiosk.dossiers import STATUS_NAMES
from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.lookup import LOOKUP_FAILED, citizen_problem
from screens.ticket_parts import in_background, load_kv

ICONS = {
    "queued": "cloud_upload",
    "received": "move_to_inbox",
    "processing": "pending_actions",
    "needs_supplement": "assignment_late",
    "ready_for_pickup": "inventory_2",
    "handed_over": "assignment_turned_in",
    "rejected": "block",
}
#: What the status means for the citizen, under its name.
HINTS = {
    "queued": N_("The dossier is kept safely at this kiosk and will be sent to the center as soon as the "
                 "connection is back."),
    "received": N_("The center has received your dossier."),
    "processing": N_("Staff are working on your dossier."),
    "needs_supplement": N_("Staff need more from you. Scan your ID card to read their message."),
    "ready_for_pickup": N_("Your result is ready. Scan your ID card to see how to collect it."),
    "handed_over": N_("The result has already been handed over."),
    "rejected": N_("The dossier was not accepted. Scan your ID card to read why."),
}
EXPECTED = N_("Expected result: {date}")
LOOK_UP_FIRST = N_("Look up a dossier first: scan its slip or type its code.")
SEE_DETAILS_PURPOSE = N_("Scan your ID card to see your dossier")
FOR_SOMEONE_ELSE_SENT = N_("Staff have been called. Please wait here, or go to counter {counter} with your ID "
                           "card and the owner's written authorisation.")
FOR_SOMEONE_ELSE_DESK = N_("Staff have been called. Please wait here, or go to the reception desk with your ID "
                           "card and the owner's written authorisation.")


#: Where the shared word reads wrongly on this screen: "Received" is also the slip's label for the date
#: of receipt ("Ngày tiếp nhận"), so the status gets words of its own.
OWN_NAMES = {"received": N_("Received by the center")}


def status_name(status: str) -> str:
    """The status in words (a message id); an unknown status reads as "being processed"."""
    return OWN_NAMES.get(status) or STATUS_NAMES.get(status) or STATUS_NAMES.get("processing", status)


def status_icon(status: str) -> str:
    return ICONS.get(status, "pending_actions")


def procedure_name(view: dict, language: str) -> str:
    names = view.get("procedure_name") or {}
    return names.get(language) or names.get("vi") or str(view.get("procedure") or "")


def long_date(value, language: str) -> str:
    """An ISO date (or date) as the citizen reads it, e.g. "Thứ Sáu, 27 tháng 11, 2026"; ``""`` when unknown."""
    if not value:
        return ""
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return ""
    return format_date(day, format="full", locale=language)


def short_moment(value, language: str) -> str:
    """An ISO date-time as ``27/11/2026 14:05`` (its own time zone, the center's); ``""`` when unknown."""
    if not value:
        return ""
    try:
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    except ValueError:
        return long_date(value, language)
    return format_datetime(moment, "dd/MM/yyyy HH:mm", locale=language)


def collect_for_someone_else(app, code: str, counter: str | None = None) -> str:
    """"I am collecting for someone else": staff are called, the citizen is sent to the counter.

    Returns the message said (a message id, formatted with ``counter``)."""
    app.call_staff("pickup_authorised", f"pickup for someone else, dossier {code}", speak=False)
    message = FOR_SOMEONE_ELSE_SENT if counter else FOR_SOMEONE_ELSE_DESK
    app.say(message, counter=counter or "")
    return message


class DossierStatusScreen(KioskScreen):
    code = StringProperty("")
    status = DictProperty({})
    status_text = StringProperty("")
    status_hint = StringProperty("")
    icon = StringProperty("description")
    procedure_text = StringProperty("")
    expected_text = StringProperty("")
    message = StringProperty("")
    message_values = DictProperty({})
    message_kind = StringProperty("info")
    busy = BooleanProperty(False)
    ready = BooleanProperty(False)

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = N_("Your dossier")
        self.guidance = ""
        self._asked = 0
        self.app.bind(language=lambda *_a: self._describe())

    def show(self, code: str = "", status: dict | None = None, **_params) -> None:
        self.code = str(code or "").upper()
        self.status = dict(status or {})
        self._note("")
        if not self.code:
            self._note(LOOK_UP_FIRST)
            self.app.say(LOOK_UP_FIRST)
        elif not self.status:
            self.refresh()
        self._describe()
        self._speak()

    def refresh(self) -> None:
        dossiers, code = getattr(self.kiosk, "dossiers", None), self.code
        if dossiers is None or not code or self.busy:
            return
        self.busy = True
        self._asked += 1
        asked = self._asked

        def done(status) -> None:
            if asked == self._asked:
                self.busy = False
                self.status = dict(status)
                self._describe()
                self._speak()

        def failed(err) -> None:
            if asked == self._asked:
                self.busy = False
                message, values = citizen_problem(err, LOOKUP_FAILED)
                self._note(message, "error", speak=True, **values)

        in_background(lambda: dossiers.lookup(code), done, failed, name="dossier-status")

    def _describe(self) -> None:
        view, language = self.status, self.app.language
        if not view:
            self.status_text = self.status_hint = self.procedure_text = self.expected_text = ""
            self.icon, self.ready = "description", False
            return
        status = str(view.get("status") or "")
        self.icon = status_icon(status)
        self.status_text = self.app.t(status_name(status))
        self.status_hint = self.app.t(HINTS[status]) if status in HINTS else ""
        self.procedure_text = procedure_name(view, language)
        date = long_date(view.get("expected_result_date"), language)
        showing = status not in ("handed_over", "rejected") and date
        self.expected_text = self.app.t(EXPECTED, date=date) if showing else ""
        self.ready = status == "ready_for_pickup"

    def _speak(self) -> None:
        if self.status_text:
            self.app.say_text(" ".join(filter(None, [self.status_text, self.status_hint, self.expected_text])))

    def _note(self, message: str, kind: str = "info", *, speak: bool = False, **values) -> None:
        self.message, self.message_kind, self.message_values = message, kind, values
        if speak and message:
            self.app.say(message, **values)

    # --- what the citizen can do ------------------------------------------------------------------

    def see_details(self) -> None:
        code = self.code
        if not code:
            return
        details = self.app.registry.get("dossier_details")
        identity = self.app.identity
        if identity is not None and not details.refused(code, identity):
            self.app.go("dossier_details", code=code)
        else:
            self.app.go("identify", purpose=SEE_DETAILS_PURPOSE, then="dossier_details",
                        then_params={"code": code, "scanned": True})

    def for_someone_else(self) -> None:
        if self.code:
            message = collect_for_someone_else(self.app, self.code)
            self._note(message)

    def look_up_another(self) -> None:
        if "lookup" in self.app.registry:
            self.app.go("lookup")

    def reset(self) -> None:
        self._asked += 1
        self.busy = False
        self.code = ""
        self.status = {}
        self._note("")
        self._describe()
