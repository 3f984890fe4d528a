"""One procedure's page: what to bring, what it costs, how long it takes, how the result comes back.

``app.go("procedure", code="HT-KS")`` shows the procedure from the kiosk's own catalog
(``kiosk.catalog``), so the page works offline:

- its name, and the documents to bring as a checklist, each marked "Required" or "If it applies";
- the fee at the counter and online (0 reads "Free", amounts as ``15.000 đ``) with the fee's note;
- the processing time in working days (0 reads "Same working day");
- how the result is returned, each way with its icon and its word;
- the guidance clip (``screens.clip_player``) when the procedure has one;
- the legal basis, in small type;
- "Submit this dossier", which asks the citizen to identify with the CCCD first (skipped when they
  did earlier in the visit) and goes on to the dossier form, and "Take a queue number instead" for
  the procedure's service.

Without a code, or with one the catalog does not hold, the page says so and offers the list.
"""

from __future__ import annotations

import logging

from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.clip_player import ClipPlayer
from screens.ticket_parts import load_kv as load_ticket_parts

log = logging.getLogger(__name__)

FREE = N_("Free")
SAME_DAY = N_("Same working day")
ONE_DAY = N_("1 working day")
DAYS = N_("{days} working days")
CHOOSE_FIRST = N_("Choose a procedure first.")
NO_CATALOG = N_("The list of procedures cannot be shown at this kiosk right now. Please ask at the reception desk.")
IDENTIFY_PURPOSE = N_("Identify to submit a dossier")
SUBMIT = N_("Submit this dossier")

#: How a result comes back: method -> (icon, words).
RESULT_METHODS = {
    "in_person": ("storefront", N_("At the counter")),
    "post": ("local_post_office", N_("By post")),
    "electronic": ("computer", N_("Electronic copy")),
}
#: The screens "Submit this dossier" leads through.
IDENTIFY_SCREEN = "identify"
FORM_SCREEN = "dossier_form"


def format_vnd(amount: int) -> str:
    """``15000`` -> ``"15.000 đ"`` (Vietnamese digit grouping)."""
    return f"{amount:,}".replace(",", ".") + " đ"


def fee_text(t, amount: int) -> str:
    """An amount as the citizen reads it: "Free" (translated with ``t``) or ``15.000 đ``."""
    return t(FREE) if amount <= 0 else format_vnd(amount)


def days_text(t, days: int) -> str:
    if days <= 0:
        return t(SAME_DAY)
    return t(ONE_DAY) if days == 1 else t(DAYS, days=days)


def catalog_of(kiosk):
    """The kiosk's procedure catalog, or ``None`` when it was built without one."""
    return getattr(kiosk, "catalog", None)


class FactRow(BoxLayout):
    """An icon beside a heading, a line and a small note (the fees, the time, the result)."""

    icon = StringProperty("")
    heading = StringProperty("")
    text = StringProperty("")
    note = StringProperty("")


class MethodLine(BoxLayout):
    """One way the result is returned: its icon and its word."""

    icon = StringProperty("")
    text = StringProperty("")


class ChecklistRow(BoxLayout):
    """One document to bring: an empty box to tick, its name, and whether it is required."""

    item = StringProperty("")
    text = StringProperty("")
    need = StringProperty("")
    required = BooleanProperty(True)


class ProcedureScreen(KioskScreen):
    code = StringProperty("")
    procedure_name = StringProperty("")
    #: A message id shown instead of the page (no procedure, unknown code, no catalog).
    problem = StringProperty("")
    legal_basis = StringProperty("")
    #: The checklist as shown: (item id, title, required).
    checklist = ListProperty([])

    def __init__(self, **kwargs):
        load_ticket_parts()  # NoticeBand
        super().__init__(**kwargs)
        self.title = N_("Procedure")
        self.guidance = N_("Here is what to bring and what it costs. Touch Submit this dossier to hand it in here.")
        self.procedure = None
        self.player = ClipPlayer()
        self.ids.clip.add_widget(self.player)
        self.app.bind(language=lambda *_a: self._fill())

    def show(self, code: str = "", **_params) -> None:
        self.player.stop()
        self.procedure, self.problem = None, ""
        catalog = catalog_of(self.kiosk)
        if not code:
            self.problem = CHOOSE_FIRST
        elif catalog is None:
            log.warning("procedure page: this kiosk was built without a procedure catalog")
            self.problem = NO_CATALOG
        else:
            try:
                self.procedure = catalog.get(code)
            except Exception as err:  # DossierError: an unknown code; anything else must not stop the visit
                log.warning("procedure %r not shown: %s", code, err)
                self.problem = getattr(err, "message", None) or NO_CATALOG
        self.code = self.procedure.code if self.procedure is not None else ""
        self.player.load(self.procedure.clip if self.procedure is not None else None)
        self._fill()
        self.ids.scroll.scroll_y = 1

    def on_pre_leave(self, *_args) -> None:
        self.player.stop()

    def reset(self) -> None:
        self.player.load(None)
        self.procedure, self.code, self.problem = None, "", ""
        self._fill()

    # --- the citizen's choices ------------------------------------------------------------------

    def submit(self) -> None:
        """"Submit this dossier": identify first (unless done in this visit), then the form."""
        if self.procedure is None:
            return
        self.player.stop()
        code = self.procedure.code
        if FORM_SCREEN not in self.app.registry:
            log.warning("dossier form screen not installed: procedure %s cannot be submitted here", code)
            self.app.go("coming_soon", title=SUBMIT, icon="assignment")
        elif self.app.identity is not None:
            self.app.go(FORM_SCREEN, procedure=code)
        else:
            self.app.go(IDENTIFY_SCREEN, purpose=IDENTIFY_PURPOSE, then=FORM_SCREEN, then_params={"procedure": code})

    def take_ticket(self) -> None:
        if self.procedure is not None:
            self.player.stop()
            self.app.go("ticket_confirm", service=self.procedure.service)

    def browse(self) -> None:
        self.app.go("procedures")

    # --- inside ---------------------------------------------------------------------------------

    def _fill(self) -> None:
        """Lay out the page for the procedure in the visit's language."""
        facts = self.ids.facts
        facts.clear_widgets()
        procedure, t, language = self.procedure, self.app.t, self.app.language
        if procedure is None:
            self.procedure_name = self.legal_basis = ""
            self.checklist = []
            self._fill_checklist()
            return
        self.procedure_name = procedure.title(language)
        self.legal_basis = procedure.legal_basis
        note = procedure.fee_note.get(language) or procedure.fee_note.get("vi", "")
        facts.add_widget(FactRow(icon="payments", heading=t(N_("Fee")),
                                 text=t(N_("At the counter: {fee}"), fee=fee_text(t, procedure.fee_in_person)) + "\n"
                                 + t(N_("Online: {fee}"), fee=fee_text(t, procedure.fee_online)),
                                 note=note))
        facts.add_widget(FactRow(icon="schedule", heading=t(N_("Processing time")),
                                 text=days_text(t, procedure.processing_days)))
        result = FactRow(icon="assignment_turned_in", heading=t(N_("How you get the result")))
        for method in procedure.result_methods:
            if method not in RESULT_METHODS:
                log.warning("procedure %s: unknown result method %r not shown", procedure.code, method)
                continue
            icon, words = RESULT_METHODS[method]
            result.ids.extra.add_widget(MethodLine(icon=icon, text=t(words)))
        facts.add_widget(result)
        self.checklist = [(item.id, item.title(language), item.required) for item in procedure.documents]
        self._fill_checklist()

    def _fill_checklist(self) -> None:
        box, t = self.ids.checklist, self.app.t
        box.clear_widgets()
        for item, text, required in self.checklist:
            need = N_("Required") if required else N_("If it applies")
            box.add_widget(ChecklistRow(item=item, text=text, need=t(need), required=required))
