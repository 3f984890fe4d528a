"""Submitting a dossier, step 2: the documents of the procedure's checklist.

``app.go("dossier_documents", procedure="HT-KS")``. Each item of the checklist shows whether a
document is attached and how many pages it has. "Scan" opens the capture screen for that item
(``app.go("digitize", checklist_item=..., back_to="dossier_documents")``); once the citizen accepts the
document there, the review screen comes back here and the item shows it. Documents are matched to
items by the ``checklist_item`` the capture screen recorded in the visit
(``kiosk.digitize.session.accepted_documents``). "Remove" takes an item's documents out of the visit
(and shreds them). "Next" goes on to the review only when every required item has a document; the
screen says which are missing otherwise.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.digitize.session import DOCUMENTS_FIELD, FinishedDocument, accepted_documents
from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.ticket_parts import load_kv
from screens.dossier_form import dossier_draft, procedure_for

log = logging.getLogger(__name__)

TITLE = N_("Your dossier: the documents")
GUIDANCE = N_("Touch \"Scan\" beside each document and place it under the camera. Then touch \"Next\".")
MSG_REQUIRED = N_("Required")
MSG_IF_IT_APPLIES = N_("If it applies")
MSG_ATTACHED = N_("Attached: {pages} pages")
MSG_ATTACHED_ONE = N_("Attached: 1 page")
MSG_NOT_ATTACHED = N_("Not attached yet")
MSG_MISSING = N_("Please scan these documents first: {names}")
MSG_REMOVED = N_("The document has been removed.")
MSG_NO_VISIT = N_("Please start again from the home screen.")


def documents_by_item(visit) -> dict[str, list[FinishedDocument]]:
    """The documents accepted in the visit, by the checklist item they were scanned for."""
    found: dict[str, list[FinishedDocument]] = {}
    if visit is None:
        return found
    for document in accepted_documents(visit):
        if document.checklist_item:
            found.setdefault(document.checklist_item, []).append(document)
    return found


def missing_items(procedure, visit) -> list:
    """The required checklist items with no document yet."""
    attached = documents_by_item(visit)
    return [item for item in procedure.documents if item.required and not attached.get(item.id)]


def remove_documents(visit, item_id: str) -> int:
    """Take the item's documents out of the visit and shred their files; returns how many went.

    The documents left keep the numbers 1…n (a new document is numbered after the last), so the last
    ones move into the numbers that were freed.
    """
    files = visit.files
    entries = [dict(e) for e in visit.form.get(DOCUMENTS_FIELD, [])]
    gone = [e for e in entries if e.get("checklist_item") == item_id]
    kept = [e for e in entries if e.get("checklist_item") != item_id]
    if files is not None:
        for entry in gone:
            for name in (entry["pdf_file"], entry["text_file"]):
                files.delete(name)
        for number, entry in enumerate(kept, 1):
            if entry["number"] == number:
                continue
            pdf, text = f"document-{number:02d}.pdf", f"document-{number:02d}.txt"
            files.write(pdf, files.read(entry["pdf_file"]))
            files.write(text, files.read(entry["text_file"]))
            files.delete(entry["pdf_file"])
            files.delete(entry["text_file"])
            entry.update(number=number, pdf_file=pdf, text_file=text)
    visit.form[DOCUMENTS_FIELD] = [asdict(FinishedDocument(**e)) for e in kept]
    return len(gone)


class AttachRow(BoxLayout):
    """One checklist item: its name, required or not, attached or not, and "Scan" / "Remove"."""

    item_id = StringProperty("")
    name = StringProperty("")
    required = BooleanProperty(True)
    pages = NumericProperty(0)
    status = StringProperty("")
    screen = ObjectProperty(None, rebind=True)


class DossierDocumentsScreen(KioskScreen):
    state = StringProperty("empty")
    message = StringProperty("")
    message_values = ObjectProperty({})
    procedure_name = StringProperty("")
    procedure = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = TITLE
        self.guidance = GUIDANCE
        self.app.bind(language=lambda *_a: self.refresh())

    def show(self, procedure: str | None = None, **_params) -> None:
        found, message = procedure_for(self.app, procedure)
        if self.app.visit is None:
            found, message = None, MSG_NO_VISIT
        self.procedure = found
        if found is None:
            self.state, self.message, self.message_values = "empty", message, {}
        else:
            dossier_draft(self.app, found.code)
            self.state, self.message, self.message_values = "list", "", {}
        self.refresh()

    def reset(self) -> None:
        self.procedure = None
        self.state, self.message, self.message_values = "empty", "", {}
        self.refresh()

    # --- the citizen's choices ----------------------------------------------------------------

    def scan(self, item_id: str) -> None:
        self.app.go("digitize", checklist_item=item_id, back_to=self.name)

    def remove(self, item_id: str) -> None:
        visit = self.app.visit
        if visit is None:
            return
        try:
            remove_documents(visit, item_id)
        except Exception as err:  # the citizen keeps the list; the operator learns why
            log.error("a document could not be removed from the visit: %s", type(err).__name__)
            self.app.show_notice(MSG_NO_VISIT, "error")
            return
        self.app.show_notice(MSG_REMOVED, "ok")
        self.message = ""
        self.refresh()

    def next(self) -> None:
        if self.procedure is None:
            self.app.home()
            return
        missing = missing_items(self.procedure, self.app.visit)
        if missing:
            names = ", ".join(item.title(self.app.language) for item in missing)
            self.message, self.message_values = MSG_MISSING, {"names": names}
            self.app.say(MSG_MISSING, names=names)
            return
        self.message = ""
        self.app.go("dossier_review", procedure=self.procedure.code)

    # --- inside -------------------------------------------------------------------------------

    def refresh(self) -> None:
        box = self.ids.checklist
        box.clear_widgets()
        procedure = self.procedure
        if procedure is None:
            self.procedure_name = ""
            return
        language = self.app.language
        self.procedure_name = procedure.title(language)
        attached = documents_by_item(self.app.visit)
        for item in procedure.documents:
            pages = sum(d.pages for d in attached.get(item.id, []))
            if not pages:
                status = self.app.t(MSG_NOT_ATTACHED)
            elif pages == 1:
                status = self.app.t(MSG_ATTACHED_ONE)
            else:
                status = self.app.t(MSG_ATTACHED, pages=pages)
            box.add_widget(AttachRow(item_id=item.id, name=item.title(language), required=item.required,
                                        pages=pages, status=status, screen=self))
        if self.message == MSG_MISSING:
            missing = missing_items(procedure, self.app.visit)
            if missing:
                self.message_values = {"names": ", ".join(item.title(language) for item in missing)}
            else:
                self.message = ""
