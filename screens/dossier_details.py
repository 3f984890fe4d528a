"""A dossier in full, for its owner: documents, history with dates, and what staff wrote.

Shown after the citizen's chip ID card is in the visit (``app.identity``): ``kiosk.dossiers.details``
asks the central service, which answers only when the card is the owner's. Otherwise the citizen is
told politely that the card is not the owner's, nothing of the dossier is shown, and that card is not
used for this dossier again (a card scanned just for it leaves the visit).

Messages from staff (a request for more documents…) come first, framed. When the result is ready:

* in a compartment of this kiosk's locker (``pickup_place``): "Pick up now" opens ``dossier_pickup``;
* otherwise: the counter that hands it out, and "Take a queue number" for the procedure's service.

"I am collecting for someone else" calls staff and sends the citizen to the counter.
"""

from __future__ import annotations

import logging

from kivy.app import App
from kivy.properties import BooleanProperty, DictProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.dossier_status import (
    EXPECTED,
    LOOK_UP_FIRST,
    SEE_DETAILS_PURPOSE,
    collect_for_someone_else,
    long_date,
    procedure_name,
    short_moment,
    status_icon,
    status_name,
)
from screens.lookup import citizen_problem
from screens.ticket_parts import in_background, load_kv
from screens.widgets import IconLabel, KioskLabel, Tile

log = logging.getLogger(__name__)

LOADING = N_("Opening your dossier…")
DETAILS_FAILED = N_("The dossier cannot be opened right now. Please ask at the reception desk.")
NOT_OWNER = N_("This ID card is not the card of the dossier's owner, so its details cannot be shown. "
               "If you are collecting for someone else, touch the button below.")
SCAN_CARD_FIRST = N_("Scan your chip ID card to see your dossier.")
STAFF_MESSAGES = N_("Messages from staff")
DOCUMENTS = N_("Documents")
NO_DOCUMENTS = N_("No documents were attached at the kiosk.")
HISTORY = N_("History")
RECEIVED_AT = N_("Received: {moment}")
PICK_UP_NOW = N_("Pick up now")
PICK_UP_HINT = N_("Compartment {compartment} of this kiosk opens for you")
AT_COUNTER = N_("Please collect your result at counter {counter}.")
AT_DESK = N_("Please collect your result at the reception desk.")
OTHER_KIOSK = N_("Your result is waiting in the locker of kiosk {kiosk}. Please pick it up there.")
TAKE_NUMBER = N_("Take a queue number")
TAKE_NUMBER_HINT = N_("To collect your result at the counter")
SOMEONE_ELSE = N_("I am collecting for someone else")
SOMEONE_ELSE_HINT = N_("Staff will help you at the counter")
SCAN_ANOTHER = N_("Scan another ID card")
SCAN_MINE = N_("Scan my ID card")
TRY_AGAIN = N_("Try again")

#: The codes ``DossierError`` carries when the card is not the owner's.
NOT_OWNER_CODES = ("owner_mismatch",)


class DossierDetailsScreen(KioskScreen):
    code = StringProperty("")
    state = OptionProperty("empty", options=("empty", "no_identity", "loading", "shown", "mismatch", "failed"))
    details = DictProperty({})
    status_text = StringProperty("")
    icon = StringProperty("description")
    procedure_text = StringProperty("")
    expected_text = StringProperty("")
    received_text = StringProperty("")
    message = StringProperty("")
    message_values = DictProperty({})
    message_kind = StringProperty("info")
    busy = BooleanProperty(False)
    #: The compartment of this kiosk's locker holding the result, when it is ready there.
    place = StringProperty("")

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = N_("Your dossier")
        self.guidance = ""
        self._asked = 0
        #: dossier code -> the identity found not to be its owner's in this visit.
        self._refused: dict[str, object] = {}
        self.service = ""
        self.counter = ""
        self._procedure = None
        self.app.bind(language=lambda *_a: self._describe())

    # --- showing ----------------------------------------------------------------------------------

    def refused(self, code: str, identity) -> bool:
        """Whether ``identity`` was found not to be the owner of dossier ``code`` in this visit."""
        return identity is not None and self._refused.get(str(code).upper()) is identity

    def show(self, code: str = "", scanned: bool = False, **_params) -> None:
        self._asked += 1
        self.code = str(code or "").upper()
        self.details = {}
        self.place = self.service = self.counter = ""
        self.busy = False
        identity = self.app.identity
        if not self.code:
            self._set("empty", LOOK_UP_FIRST)
            self.app.say(LOOK_UP_FIRST)
        elif identity is None or self.refused(self.code, identity):
            self._set("no_identity", SCAN_CARD_FIRST)
            self.app.say(SCAN_CARD_FIRST)
        else:
            self.load(scanned)
        self._describe()

    def load(self, scanned: bool = False) -> None:
        dossiers, catalog, code, identity = (getattr(self.kiosk, "dossiers", None), getattr(self.kiosk, "catalog", None),
                                             self.code, self.app.identity)
        if dossiers is None or identity is None or not code:
            self._set("failed", DETAILS_FAILED)
            return
        self.busy = True
        self._set("loading", LOADING)
        asked = self._asked

        def work():
            details = dossiers.details(code, identity)
            place = dossiers.pickup_place(details) if details.get("status") == "ready_for_pickup" else None
            return details, place, procedure_of(catalog, details.get("procedure"))

        def done(result) -> None:
            if asked != self._asked:
                return
            self.busy = False
            details, place, procedure = result
            self.details = dict(details)
            self.place = place or ""
            self.service = getattr(procedure, "service", "") or ""
            self._procedure = procedure
            self.counter = str(details.get("counter") or self._first_counter(self.service) or "")
            self._set("shown", "")
            self._describe()
            self._speak()

        def failed(err) -> None:
            if asked != self._asked:
                return
            self.busy = False
            if getattr(err, "code", None) in NOT_OWNER_CODES:
                self._not_owner(identity, scanned)
                return
            message, values = citizen_problem(err, DETAILS_FAILED)
            self._set("failed", message, "error", speak=True, **values)
            self._describe()

        in_background(work, done, failed, name="dossier-details")

    def _not_owner(self, identity, scanned: bool) -> None:
        """Nothing of the dossier is shown; the card is not used for it again."""
        self._refused[self.code] = identity
        visit = self.app.visit
        if scanned and visit is not None and visit.identity is identity:
            visit.identity = None  # scanned only for this dossier, and it is not the owner's
        self._set("mismatch", NOT_OWNER, "error", speak=True)
        self._describe()

    def _first_counter(self, service: str) -> str:
        desk = getattr(self.kiosk, "desk", None)
        if desk is None or not service:
            return ""
        counters = desk.service(service).get("counters") or []
        return str(counters[0]) if counters else ""

    def _set(self, state: str, message: str, kind: str = "info", *, speak: bool = False, **values) -> None:
        self.state = state
        self.message, self.message_kind, self.message_values = message, kind, values
        if speak and message:
            self.app.say(message, **values)

    # --- what the screen says ---------------------------------------------------------------------

    def _describe(self) -> None:
        view, language, t = self.details, self.app.language, self.app.t
        if self.state != "shown" or not view:
            self.status_text = self.procedure_text = self.expected_text = self.received_text = ""
            self.icon = "description"
        else:
            status = str(view.get("status") or "")
            self.icon = status_icon(status)
            self.status_text = t(status_name(status))
            self.procedure_text = procedure_name(view, language)
            date = long_date(view.get("expected_result_date"), language)
            self.expected_text = t(EXPECTED, date=date) if date and status not in ("handed_over", "rejected") else ""
            moment = short_moment(view.get("received_at"), language)
            self.received_text = t(RECEIVED_AT, moment=moment) if moment else ""
        self._fill_body()
        self._fill_actions()

    def _speak(self) -> None:
        messages = [m.get("message") for m in self.details.get("messages") or [] if m.get("message")]
        parts = [self.status_text, self.expected_text]
        if messages:
            parts += [self.app.t(STAFF_MESSAGES), str(messages[-1])]
        self.app.say_text(" ".join(p for p in parts if p))

    def _fill_body(self) -> None:
        box = self.ids.content
        box.clear_widgets()
        view = self.details
        if self.state != "shown" or not view:
            return
        t = self.app.t
        messages = [m for m in view.get("messages") or [] if m.get("message")]
        if messages:
            box.add_widget(heading(t(STAFF_MESSAGES), "mail"))
            for index, entry in enumerate(reversed(messages)):
                box.add_widget(staff_message(entry, self.app.language, latest=index == 0, tag=f"details:message:{index}"))
        box.add_widget(heading(t(DOCUMENTS), "description"))
        documents = view.get("documents") or []
        if not documents:
            box.add_widget(line(t(NO_DOCUMENTS)))
        for document in documents:
            box.add_widget(line(self._document_title(document), "check_circle"))
        box.add_widget(heading(t(HISTORY), "history"))
        for event in view.get("history") or []:
            status = str(event.get("status") or "")
            text = f"{short_moment(event.get('at'), self.app.language)}  {t(status_name(status))}"
            if event.get("message"):
                text += f"\n{event['message']}"
            box.add_widget(line(text, status_icon(status)))

    def _document_title(self, document: dict) -> str:
        item = str(document.get("checklist_item") or "")
        for entry in getattr(getattr(self, "_procedure", None), "documents", ()) or ():
            if entry.id == item:
                return entry.title(self.app.language)
        return item or str(document.get("filename") or "")

    def _fill_actions(self) -> None:
        box = self.ids.actions
        box.clear_widgets()
        t = self.app.t
        self.ids.where.text = ""
        if self.state == "shown" and self.details.get("status") == "ready_for_pickup":
            if self.place:
                box.add_widget(action("details:pickup", "tile", "lock_open", t(PICK_UP_NOW),
                                      t(PICK_UP_HINT, compartment=self.place), self.pick_up))
            else:
                self.ids.where.text = self._where()
                if self.service and "ticket_confirm" in self.app.registry:
                    box.add_widget(action("details:queue", "tile", "confirmation_number", t(TAKE_NUMBER),
                                          t(TAKE_NUMBER_HINT), self.take_number))
            box.add_widget(action("details:someone_else", "button", "group", t(SOMEONE_ELSE),
                                  t(SOMEONE_ELSE_HINT), self.for_someone_else))
        elif self.state == "mismatch":
            box.add_widget(action("details:scan", "tile", "badge", t(SCAN_ANOTHER), "", self.scan_card))
            box.add_widget(action("details:someone_else", "button", "group", t(SOMEONE_ELSE),
                                  t(SOMEONE_ELSE_HINT), self.for_someone_else))
        elif self.state == "no_identity":
            box.add_widget(action("details:scan", "tile", "badge", t(SCAN_MINE), "", self.scan_card))
        elif self.state == "failed":
            box.add_widget(action("details:retry", "tile", "refresh", t(TRY_AGAIN), "", self.retry))

    def _where(self) -> str:
        t = self.app.t
        locker = self.details.get("locker") or {}
        if locker.get("kiosk"):
            return t(OTHER_KIOSK, kiosk=locker["kiosk"])
        return t(AT_COUNTER, counter=self.counter) if self.counter else t(AT_DESK)

    # --- what the citizen can do ------------------------------------------------------------------

    def pick_up(self) -> None:
        if self.place and "dossier_pickup" in self.app.registry:
            self.app.go("dossier_pickup", code=self.code, compartment=self.place, service=self.service)

    def take_number(self) -> None:
        if self.service:
            self.app.go("ticket_confirm", service=self.service)

    def for_someone_else(self) -> None:
        message = collect_for_someone_else(self.app, self.code, self.counter or None)
        self.message, self.message_kind, self.message_values = message, "info", {"counter": self.counter}

    def scan_card(self) -> None:
        self.app.go("identify", purpose=SEE_DETAILS_PURPOSE, then="dossier_details",
                    then_params={"code": self.code, "scanned": True})

    def retry(self) -> None:
        self.show(code=self.code)

    def reset(self) -> None:
        self._asked += 1
        self._refused.clear()
        self.code = self.place = self.service = self.counter = ""
        self.details = {}
        self._procedure = None
        self.busy = False
        self._set("empty", "")
        self._describe()


def procedure_of(catalog, code):
    """The catalog's procedure ``code``, or ``None`` when the kiosk does not know it."""
    if catalog is None or not code:
        return None
    try:
        return catalog.get(str(code))
    except Exception as err:  # an unknown procedure still shows its dossier
        log.info("procedure %s not in the kiosk's catalog: %s", code, type(err).__name__)
        return None


def heading(text: str, icon: str) -> BoxLayout:
    theme = _theme()
    row = BoxLayout(size_hint_y=None, spacing=theme.mm(3))
    label = KioskLabel(text=text)
    label.font_name = theme.font_bold
    label.font_size = theme.font_label
    row.add_widget(IconLabel(icon=icon, pos_hint={"center_y": 0.5}))
    row.add_widget(label)
    label.bind(height=lambda *_a: setattr(row, "height", max(label.height, theme.icon_small) + theme.mm(2)))
    return row


def line(text: str, icon: str = "") -> BoxLayout:
    theme = _theme()
    row = BoxLayout(size_hint_y=None, spacing=theme.mm(3), padding=(theme.mm(3), 0, 0, 0))
    label = KioskLabel(text=text)
    if icon:
        row.add_widget(IconLabel(icon=icon, pos_hint={"top": 1}))
    row.add_widget(label)
    label.bind(height=lambda *_a: setattr(row, "height", max(label.height, theme.icon_small)))
    return row


def staff_message(entry: dict, language: str, *, latest: bool, tag: str):
    """One message from staff, in a frame; the latest in bold."""
    message = StaffMessage(tag=tag)
    message.moment = short_moment(entry.get("at"), language)
    message.text = str(entry.get("message") or "")
    message.latest = latest
    return message


def action(tag: str, style: str, icon: str, text: str, hint: str, callback) -> Tile:
    tile = Tile(tag=tag, style=style, icon=icon, text=text, hint=hint)
    tile.bind(on_release=lambda _t: callback())
    return tile


def _theme():
    return App.get_running_app().theme


class StaffMessage(BoxLayout):
    """A framed message from staff (drawn in ``dossier_details.kv``)."""

    tag = StringProperty("")
    moment = StringProperty("")
    text = StringProperty("")
    latest = BooleanProperty(False)
