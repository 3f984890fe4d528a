"""Submitting a dossier, step 1: the procedure's form, filled from the card, the rest typed.

``app.go("dossier_form", procedure="HT-KS")``. The citizen must have identified in this visit; without
an identity the screen sends them to the identify screen, which comes back here. What the card says
(name, date of birth, sex, ID number masked, address) is shown read-only; every other field of the
procedure's form is a large row. Touching a row opens its editor under the list: the Vietnamese
keyboard for text, the digit pad for dates (``dd/mm/yyyy``), numbers and phone numbers, large buttons
for a choice. What is wrong with a field (``kiosk.dossiers.forms.problems``) is shown under it in plain
words once the citizen has left it or pressed "Next"; "Next" goes on to the documents only when
nothing is wrong.

The draft (procedure and typed values) lives in the visit (``visit.form["dossier"]``), so going back
and forth keeps it and the end of the visit wipes it. The other dossier screens read it with
``dossier_draft``.
"""

from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.dossiers import forms
from kiosk.dossiers.errors import DossierError
from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.ticket_parts import load_kv
from screens.vn_keyboard import VnKeyboard  # noqa: F401  (the .kv file uses it)
from screens.widgets import Pressable, Tile

log = logging.getLogger(__name__)

TITLE = N_("Your dossier: the form")
GUIDANCE = N_("Your details from the card are filled in. Touch each empty line to fill it in, then touch \"Next\".")
IDENTIFY_PURPOSE = N_("Identify to submit a dossier")
MSG_CHOOSE_FIRST = N_("Choose a procedure first.")
MSG_NO_CATALOG = N_("Dossiers cannot be submitted at this kiosk right now. Please ask at the reception desk.")
MSG_FROM_CARD = N_("From your card")
MSG_TO_FILL = N_("Please fill in")
MSG_TOUCH_TO_TYPE = N_("Touch to type")
MSG_TOUCH_TO_CHOOSE = N_("Touch to choose")
MSG_OPTIONAL = N_("(if it applies)")
MSG_FIX_FIRST = N_("Some lines are not right yet. Please look at the lines marked in red.")
MSG_NOTHING_TO_TYPE = N_("Nothing more to type for this procedure.")

DRAFT = "dossier"
#: Field kind -> keyboard layout.
LAYOUTS = {"text": "text", "date": "date", "number": "number", "phone": "phone"}


# --- the draft in the visit (the other dossier screens use these too) -----------------------------


def dossier_draft(app, code: str | None = None) -> dict | None:
    """The visit's dossier draft (``{"procedure", "values"}``); a new one when ``code`` names another procedure."""
    visit = app.visit
    if visit is None:
        return None
    draft = visit.form.get(DRAFT)
    if code and (not isinstance(draft, dict) or draft.get("procedure") != code):
        draft = {"procedure": code, "values": {}, "receipt": None}
        visit.update_form(**{DRAFT: draft})
    return draft if isinstance(draft, dict) else None


def procedure_for(app, code: str | None):
    """(procedure, message id): the procedure from the kiosk's catalog, or why there is none."""
    catalog = getattr(app.kiosk, "catalog", None)
    if catalog is None:
        return None, MSG_NO_CATALOG
    if not code:
        draft = dossier_draft(app)
        code = draft.get("procedure") if draft else None
    if not code:
        return None, MSG_CHOOSE_FIRST
    try:
        return catalog.get(code), ""
    except DossierError as err:
        return None, err.message


def form_values(procedure, identity, draft: dict | None) -> dict[str, str]:
    """The card's values with the typed ones, as the dossier is submitted."""
    values = dict(draft.get("values", {})) if draft else {}
    values.update(forms.autofill(procedure, identity))
    return values


def shown_value(field, value: str, identity, language: str) -> str:
    """A value as the citizen reads it: the ID number masked, a choice by its label."""
    if not value:
        return ""
    if field.source == "id_number" and identity is not None:
        return identity.masked_id
    if field.kind == "choice":
        return field.choice_title(value, language)
    return value


# --- widgets --------------------------------------------------------------------------------------


class CardValueRow(BoxLayout):
    """A value read from the card: shown, not touchable."""

    field_id = StringProperty("")
    label = StringProperty("")
    value = StringProperty("")


class FormFieldRow(Pressable):
    """One field to fill in: its label, what was typed (or what to do), and what is wrong with it."""

    field_id = StringProperty("")
    label = StringProperty("")
    value = StringProperty("")
    placeholder = StringProperty("")
    problem = StringProperty("")
    selected = BooleanProperty(False)


class DossierFormScreen(KioskScreen):
    #: "form", or "empty" when there is no procedure to fill in (``message`` says why).
    state = StringProperty("empty")
    message = StringProperty("")
    procedure_name = StringProperty("")
    #: The field being edited ("" when the editor is closed), its label, kind and problem.
    editing = StringProperty("")
    editing_label = StringProperty("")
    editing_kind = StringProperty("text")
    editing_problem = StringProperty("")
    procedure = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = TITLE
        self.guidance = GUIDANCE
        self.draft: dict | None = None
        self.checked: set[str] = set()
        self.rows: dict[str, FormFieldRow] = {}
        # strong references: the editor and the keyboard leave the layout while unused (ids are weak)
        self.keyboard = self.ids.keyboard.__self__
        self.editor = self.ids.editor.__self__
        self.input_area = self.ids.input_area.__self__
        self.choices = self.ids.choices.__self__
        self.keyboard.bind(text=lambda _k, text: self._typed(text), on_done=lambda *_a: self.field_done())
        self.app.bind(language=lambda *_a: self._relabel())
        self._place_editor()

    # --- what the app calls -------------------------------------------------------------------

    def show(self, procedure: str | None = None, **_params) -> None:
        self.close_editor()
        self.checked = set()
        found, message = procedure_for(self.app, procedure)
        if found is not None and self.app.identity is None:
            self.state, self.message, self.procedure = "empty", "", None
            Clock.schedule_once(lambda _dt: self.app.replace(
                "identify", purpose=IDENTIFY_PURPOSE, then=self.name, then_params={"procedure": found.code}))
            return
        if found is None or self.app.visit is None:
            self.state, self.message, self.procedure = "empty", message or MSG_CHOOSE_FIRST, None
            self._build_rows()
            return
        self.procedure = found
        self.draft = dossier_draft(self.app, found.code)
        self.state, self.message = "form", ""
        self._build_rows()

    def reset(self) -> None:
        self.close_editor()
        self.procedure = None
        self.draft = None
        self.checked = set()
        self.state, self.message, self.procedure_name = "empty", "", ""
        self.keyboard.text = ""
        self._build_rows()

    # --- the citizen's choices ----------------------------------------------------------------

    def open_field(self, field_id: str) -> None:
        field = self._field(field_id)
        if field is None:
            return
        if self.editing and self.editing != field_id:
            self._leave_field()
        self.editing = field_id
        self.editing_label = field.title(self.app.language)
        self.editing_kind = "choice" if field.kind == "choice" else field.kind
        for row in self.rows.values():
            row.selected = row.field_id == field_id
        self._place_editor()
        row = self.rows.get(field_id)
        if row is not None:
            # once the editor has taken its room, the line being filled in stays in sight
            Clock.schedule_once(lambda _dt: self.reveal(row))
        if field.kind == "choice":
            self._build_choices(field)
        else:
            self.keyboard.edit(self._values().get(field_id, ""), LAYOUTS.get(field.kind, "text"),
                               field.max_length, capital_words="name" in field.id)
        self._show_problem(field_id, editing=True)

    def choose(self, value: str) -> None:
        if not self.editing:
            return
        self._store(self.editing, value)
        self.field_done()

    def field_done(self) -> None:
        """The keyboard's "Done" or a choice: on to the next empty line, or close the editor."""
        current = self.editing
        if not current:
            return
        self._leave_field()
        after = False
        for field in self._to_fill():
            if field.id == current:
                after = True
                continue
            if after and not self._values().get(field.id):
                self.open_field(field.id)
                return
        self.close_editor()

    def close_editor(self) -> None:
        if self.editing:
            self._leave_field()
        self.editing = ""
        self.editing_problem = ""
        for row in self.rows.values():
            row.selected = False
        self._place_editor()
        Clock.schedule_once(lambda _dt: self._settle_scroll())

    def reveal(self, row) -> None:
        """Scroll the list so ``row`` is in sight (a list that fits its room does not scroll)."""
        scroll = self.ids.scroll
        if self.ids.rows.height > scroll.height:
            scroll.scroll_to(row, animate=False)
        else:
            scroll.scroll_y = 1

    def _settle_scroll(self) -> None:
        """A list shorter than its room starts at its top (not where the smaller room had scrolled it)."""
        scroll = self.ids.scroll
        if self.ids.rows.height <= scroll.height:
            scroll.scroll_y = 1

    def _place_editor(self) -> None:
        """The editor is in the layout only while a field is edited; the keyboard only for typed fields."""
        body, editor, area = self.ids.body, self.editor, self.input_area
        if self.editing and editor.parent is None:
            body.add_widget(editor, index=1)
        elif not self.editing and editor.parent is not None:
            body.remove_widget(editor)
        typing = bool(self.editing) and self.editing_kind != "choice"
        if typing and self.keyboard.parent is None:
            area.add_widget(self.keyboard)
        elif not typing and self.keyboard.parent is not None:
            area.remove_widget(self.keyboard)
        if typing:
            self.choices.clear_widgets()

    def next(self) -> None:
        if self.procedure is None:
            self.app.home()
            return
        self.close_editor()
        problems = forms.problems(self.procedure, self._values())
        if problems:
            self.checked = {f.id for f in self._to_fill()} | set(problems)
            self._refresh_problems()
            # said in the screen's own band: a band over the keyboard would move the keys while typing
            self.message = MSG_FIX_FIRST
            self.app.say(MSG_FIX_FIRST)
            first = next((f.id for f in self._to_fill() if f.id in problems), "")
            if first:
                self.open_field(first)
            return
        self.app.go("dossier_documents", procedure=self.procedure.code)

    # --- inside -------------------------------------------------------------------------------

    def _field(self, field_id: str):
        if self.procedure is None:
            return None
        return next((f for f in self.procedure.form if f.id == field_id), None)

    def _card_values(self) -> dict[str, str]:
        return forms.autofill(self.procedure, self.app.identity) if self.procedure is not None else {}

    def _to_fill(self):
        """The fields the card did not fill, in form order."""
        return forms.missing(self.procedure, self._card_values()) if self.procedure is not None else []

    def _values(self) -> dict[str, str]:
        if self.procedure is None:
            return {}
        return form_values(self.procedure, self.app.identity, self.draft)

    def _store(self, field_id: str, value: str) -> None:
        if self.draft is None:
            return
        self.draft.setdefault("values", {})[field_id] = value
        row = self.rows.get(field_id)
        field = self._field(field_id)
        if row is not None and field is not None:
            row.value = shown_value(field, value, self.app.identity, self.app.language)

    def _typed(self, text: str) -> None:
        if self.editing and self.editing_kind != "choice":
            self._store(self.editing, text)
            self._show_problem(self.editing, editing=True)

    def _leave_field(self) -> None:
        field_id = self.editing
        value = self._values().get(field_id, "")
        if value and self.app.visit is not None:
            self.app.visit.sensitive(value)
        self.checked.add(field_id)
        self._show_problem(field_id)
        if self.message == MSG_FIX_FIRST and not forms.problems(self.procedure, self._values()):
            self.message = ""

    def _show_problem(self, field_id: str, editing: bool = False) -> None:
        problem = ""
        field = self._field(field_id)
        if field is not None and (field_id in self.checked or editing):
            problem = forms.problem(field, self._values().get(field_id, "")) or ""
        if editing and field_id == self.editing:
            # while typing, only say what is wrong once something has been typed
            self.editing_problem = problem if self._values().get(field_id) or field_id in self.checked else ""
        row = self.rows.get(field_id)
        if row is not None and (field_id in self.checked):
            row.problem = self.app.t(problem) if problem else ""

    def _refresh_problems(self) -> None:
        for field_id in self.rows:
            self._show_problem(field_id)

    def _build_rows(self) -> None:
        box = self.ids.rows
        box.clear_widgets()
        self.rows = {}
        procedure = self.procedure
        if procedure is None:
            self.procedure_name = ""
            return
        language = self.app.language
        t = self.app.t
        self.procedure_name = procedure.title(language)
        card = self._card_values()
        identity = self.app.identity
        if card:
            box.add_widget(self._heading(t(MSG_FROM_CARD)))
            for field in procedure.form:
                if field.id in card:
                    box.add_widget(CardValueRow(field_id=field.id, label=field.title(language),
                                           value=shown_value(field, card[field.id], identity, language)))
        to_fill = self._to_fill()
        if to_fill:
            box.add_widget(self._heading(t(MSG_TO_FILL)))
        else:
            box.add_widget(self._heading(t(MSG_NOTHING_TO_TYPE)))
        values = self._values()
        for field in to_fill:
            label = field.title(language) + ("" if field.required else " " + t(MSG_OPTIONAL))
            row = FormFieldRow(
                tag=f"form:field:{field.id}", field_id=field.id, label=label, text=label,
                icon={"date": "event", "choice": "checklist", "phone": "call", "number": "pin"}.get(field.kind, "edit"),
                value=shown_value(field, values.get(field.id, ""), identity, language),
                placeholder=t(MSG_TOUCH_TO_CHOOSE if field.kind == "choice" else MSG_TOUCH_TO_TYPE),
            )
            row.bind(on_release=lambda r: self.open_field(r.field_id))
            self.rows[field.id] = row
            box.add_widget(row)
        self._refresh_problems()

    def _heading(self, text: str):
        from screens.widgets import KioskLabel

        label = KioskLabel(text=text)
        label.font_name = self.app.theme.font_bold
        return label

    def _build_choices(self, field) -> None:
        box = self.choices
        box.clear_widgets()
        current = self._values().get(field.id, "")
        for value, _label in field.choices:
            tile = Tile(tag=f"form:choice:{value}", style="tile" if value == current else "button",
                        icon="radio_button_checked" if value == current else "radio_button_unchecked",
                        text=field.choice_title(value, self.app.language), hint="",
                        height=self.app.theme.target * 1.6)
            tile.bind(on_release=lambda _t, value=value: self.choose(value))
            box.add_widget(tile)

    def _relabel(self) -> None:
        self.keyboard.relabel()
        if self.state == "form":
            editing = self.editing
            self._build_rows()
            if editing:
                self.open_field(editing)
