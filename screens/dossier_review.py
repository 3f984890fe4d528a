"""Submitting a dossier, step 3: everything at a glance, then "Submit".

``app.go("dossier_review", procedure="HT-KS")`` shows the procedure, the owner (name and masked ID
number), the form's values and the documents attached to each checklist item. "Submit" hands the
dossier to ``kiosk.dossiers.submit`` on a thread of its own (it queues the dossier in the outbox,
waits a moment for the center and prints the appointment slip): meanwhile the screen says "Sending…"
and the button is off, so a second touch never sends it twice. Then the slip screen takes this
screen's place (``back`` does not return here). A problem is told in plain words and the draft is
kept, so the citizen can try again or change what was wrong.
"""

from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.properties import DictProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.digitize.session import dossier_documents
from kiosk.dossiers.errors import DossierError
from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.dossier_documents import documents_by_item, missing_items
from screens.dossier_form import (
    IDENTIFY_PURPOSE,
    MSG_NO_CATALOG,
    dossier_draft,
    form_values,
    procedure_for,
    shown_value,
)
from screens.ticket_parts import in_background, load_kv

log = logging.getLogger(__name__)

TITLE = N_("Your dossier: check and send")
GUIDANCE = N_("Please check your dossier. If everything is right, touch \"Submit\".")
MSG_SENDING = N_("Sending your dossier…")
MSG_FAILED = N_("Your dossier could not be sent. Nothing is lost: please try again, or ask at the reception desk.")
MSG_FORM_NOT_READY = N_("Some lines of the form are not filled in yet.")
MSG_DOCUMENTS_NOT_READY = N_("Some required documents are not attached yet.")
MSG_FIX_FORM = N_("Correct the form")
MSG_FIX_DOCUMENTS = N_("Attach the documents")
#: Where the citizen fixes what a refusal names: the screen, and the words on the button that opens it.
FIXES = {"form": ("dossier_form", MSG_FIX_FORM), "documents": ("dossier_documents", MSG_FIX_DOCUMENTS)}
MSG_OWNER = N_("Owner")
MSG_FORM = N_("Form")
MSG_DOCUMENTS = N_("Documents")
MSG_PAGES = N_("{pages} pages")
MSG_ONE_PAGE = N_("1 page")
MSG_NONE = N_("Not attached")


class DossierReviewLine(BoxLayout):
    """A label over its value."""

    label = StringProperty("")
    value = StringProperty("")


class DossierReviewScreen(KioskScreen):
    #: "ready", "sending", "empty" (``message`` says why nothing can be sent)
    state = StringProperty("empty")
    message = StringProperty("")
    message_values = DictProperty({})
    message_kind = StringProperty("info")
    #: What the citizen must fix before sending ("form", "documents"), or "" (see ``FIXES``).
    fix = StringProperty("")
    fix_label = StringProperty("")
    procedure_name = StringProperty("")
    procedure = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = TITLE
        self.guidance = GUIDANCE
        self._sending_visit = None
        self.app.bind(language=lambda *_a: self.refresh())

    def show(self, procedure: str | None = None, **_params) -> None:
        if self.state == "sending":
            return  # the answer comes back to this screen
        found, message = procedure_for(self.app, procedure)
        self.message, self.message_values, self.message_kind, self.fix = "", {}, "info", ""
        if found is not None and self.app.identity is None:
            self.state, self.procedure = "empty", None
            Clock.schedule_once(lambda _dt: self.app.replace(
                "identify", purpose=IDENTIFY_PURPOSE, then="dossier_form", then_params={"procedure": found.code}))
            return
        if found is None or self.app.visit is None:
            self.state, self.procedure, self.message = "empty", None, message or MSG_NO_CATALOG
        else:
            self.procedure = found
            dossier_draft(self.app, found.code)
            self.state = "ready"
        self.refresh()

    def reset(self) -> None:
        self.state, self.message, self.message_values, self.procedure = "empty", "", {}, None
        self.fix = ""
        self._sending_visit = None
        self.refresh()

    @property
    def desk(self):
        return getattr(self.kiosk, "dossiers", None)

    # --- the citizen's choices ----------------------------------------------------------------

    def submit(self) -> None:
        if self.state != "ready" or self.procedure is None:
            if self.state == "empty":
                self.app.home()
            return
        visit, identity, procedure = self.app.visit, self.app.identity, self.procedure
        draft = dossier_draft(self.app, procedure.code)
        if draft.get("receipt") is not None:  # sent already: show its slip again
            self.app.replace("dossier_slip", receipt=draft["receipt"])
            return
        desk = self.desk
        if desk is None:
            self._tell(MSG_NO_CATALOG, "error")
            return
        values = form_values(procedure, identity, draft)
        from kiosk.dossiers import forms

        if forms.problems(procedure, values):
            self._tell(MSG_FORM_NOT_READY, "error", fix="form")
            return
        if missing_items(procedure, visit):
            self._tell(MSG_DOCUMENTS_NOT_READY, "error", fix="documents")
            return
        items = {item.id for item in procedure.documents}
        language = self.app.language
        self.state = "sending"
        self._tell(MSG_SENDING, "info")
        self._sending_visit = visit

        def work():
            documents = [d for d in dossier_documents(visit) if d["checklist_item"] in items]
            return desk.submit(procedure, identity, values, documents, language, visit=visit)

        in_background(work, lambda receipt: self._sent(visit, draft, receipt),
                      lambda err: self._not_sent(visit, err), name="dossier-submit")

    # --- answers (UI thread) ------------------------------------------------------------------

    def _sent(self, visit, draft: dict, receipt) -> None:
        self._sending_visit = None
        if self.app.visit is not visit:
            self.state = "empty"
            return  # the visit ended meanwhile: the next citizen must not see this slip
        draft["receipt"] = receipt
        self.state = "ready"
        self.message = ""
        self.app.replace("dossier_slip", receipt=receipt)

    def _not_sent(self, visit, err: BaseException) -> None:
        self._sending_visit = None
        if self.app.visit is not visit:
            self.state = "empty"
            return
        self.state = "ready"
        if isinstance(err, DossierError):
            log.warning("dossier not submitted: %s (%s)", err.code, err.detail)
            fix = {"form": "form", "document": "documents"}.get(err.code, "")
            self._tell(err.message, "error", fix=fix, **err.values)
        else:
            log.error("dossier not submitted: %s", type(err).__name__)
            self._tell(MSG_FAILED, "error")

    def on_fix(self, _screen, fix: str) -> None:
        self.fix_label = FIXES[fix][1] if fix in FIXES else ""

    def fix_it(self) -> None:
        """Open the screen where the citizen fixes what stopped the dossier; "Back" returns here."""
        target = FIXES.get(self.fix)
        if target is None or self.procedure is None:
            return
        self.app.go(target[0], procedure=self.procedure.code)

    def _tell(self, message: str, kind: str, *, fix: str = "", **values) -> None:
        self.message, self.message_kind, self.message_values = message, kind, values
        self.fix = fix
        if message:
            self.app.say(message, **values)

    # --- what is shown ------------------------------------------------------------------------

    def refresh(self) -> None:
        box = self.ids.lines
        box.clear_widgets()
        procedure = self.procedure
        if procedure is None:
            self.procedure_name = ""
            return
        t, language = self.app.t, self.app.language
        identity = self.app.identity
        self.procedure_name = procedure.title(language)
        if identity is not None:
            box.add_widget(self._heading(t(MSG_OWNER)))
            box.add_widget(DossierReviewLine(label=identity.full_name, value=identity.masked_id))
        values = form_values(procedure, identity, dossier_draft(self.app, procedure.code))
        box.add_widget(self._heading(t(MSG_FORM)))
        for field in procedure.form:
            value = shown_value(field, values.get(field.id, ""), identity, language)
            if value:
                box.add_widget(DossierReviewLine(label=field.title(language), value=value))
        box.add_widget(self._heading(t(MSG_DOCUMENTS)))
        attached = documents_by_item(self.app.visit)
        for item in procedure.documents:
            pages = sum(d.pages for d in attached.get(item.id, []))
            if not pages and not item.required:
                continue
            value = t(MSG_NONE) if not pages else t(MSG_ONE_PAGE) if pages == 1 else t(MSG_PAGES, pages=pages)
            box.add_widget(DossierReviewLine(label=item.title(language), value=value))

    def _heading(self, text: str):
        from screens.widgets import KioskLabel

        label = KioskLabel(text=text, font_size=self.app.theme.font_label)
        label.font_name = self.app.theme.font_bold
        return label
