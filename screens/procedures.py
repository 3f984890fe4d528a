"""Procedures and dossiers: find the procedure by its field, or by typing a few letters of its name.

The screen reads the kiosk's own copy of the catalog (``kiosk.catalog``), so it works offline. It has
three views, each a step of the visit so that "back" walks them:

- ``app.go("procedures")``: the fields (civil status, certification, land…) as large tiles with icons;
- ``app.go("procedures", field="civil_status")``: that field's procedures as large rows, each with
  its processing time and its fee at the counter;
- ``app.go("procedures", search=True)``: a search box over large on-screen letter keys; the list
  follows every key, diacritics not needed ("khai sinh" finds "Đăng ký khai sinh").

Touching a procedure opens its page (``screens.procedure``).
"""

from __future__ import annotations

import logging

from kivy.properties import OptionProperty, StringProperty

from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.procedure import NO_CATALOG, catalog_of, days_text, fee_text
from screens.ticket_parts import add_letter_keys, load_kv
from screens.widgets import Pressable, Tile

log = logging.getLogger(__name__)

MAX_QUERY = 40
TYPE_LETTERS = N_("Type the first letters of the procedure, then touch it in the list.")
NO_MATCH = N_("No procedure matches. Try fewer letters.")
COUNT = N_("{count} procedures")
ONE = N_("1 procedure")
ROW_HINT = N_("{time} · at the counter: {fee}")
CHOOSE_FIELD = N_("There are no procedures in this field. Touch Back to choose another.")


class ProcedureRow(Pressable):
    """One procedure in a list: its field's icon, its name, its processing time and fee."""

    hint = StringProperty("")


class ProceduresScreen(KioskScreen):
    mode = OptionProperty("fields", options=("fields", "field", "search"))
    #: The field whose procedures are listed (``mode == "field"``) and its name (a message id).
    field = StringProperty("")
    field_name = StringProperty("")
    query = StringProperty("")
    #: A message id over the list (type letters, nothing found, no catalog).
    message = StringProperty("")

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = N_("Procedures and dossiers")
        self.guidance = N_("Touch the field of your procedure, or search for it by name.")
        self.found: list = []
        self._icons: dict[str, str] = {}
        add_letter_keys(self, self.type, self.delete)
        self.app.bind(language=lambda *_a: self._fill())
        self._keys, self._body = self.ids.keypad, self.ids.body
        self._show_keys(False)

    @property
    def catalog(self):
        return catalog_of(self.kiosk)

    def show(self, field: str = "", search: bool = False, **_params) -> None:
        if search:
            self.mode = "search"
        elif field:
            self.mode, self.field = "field", field
        else:
            self.mode = "fields"
        self._show_keys(self.mode == "search")
        self._fill()
        self.ids.scroll.scroll_y = 1

    def reset(self) -> None:
        self.mode, self.field, self.field_name, self.query, self.message = "fields", "", "", "", ""
        self.found = []
        self._show_keys(False)
        self.ids.results.clear_widgets()

    # --- the citizen's touches ------------------------------------------------------------------

    def open_search(self) -> None:
        if self.mode != "search":
            self.app.go("procedures", search=True)

    def open_field(self, field: str) -> None:
        self.app.go("procedures", field=field)

    def open_procedure(self, code: str) -> None:
        self.app.go("procedure", code=code)

    def type(self, text: str) -> None:
        if len(self.query) < MAX_QUERY and not (text == " " and (not self.query or self.query.endswith(" "))):
            self.query += text
            self._fill()

    def delete(self) -> None:
        if self.query:
            self.query = self.query[:-1]
            self._fill()

    # --- inside ---------------------------------------------------------------------------------

    def _fill(self) -> None:
        box = self.ids.results
        box.clear_widgets()
        catalog = self.catalog
        if catalog is None:
            if self.message != NO_CATALOG:
                log.warning("procedures: this kiosk was built without a procedure catalog")
            self.message = NO_CATALOG
            return
        self.message = ""
        self._icons = {f.id: f.icon for f in catalog.fields()}
        if self.mode == "fields":
            self._fill_fields(catalog, box)
        elif self.mode == "field":
            names = {f.id: f.name for f in catalog.fields()}
            self.field_name = names.get(self.field, "")
            procedures = catalog.in_field(self.field)
            self.message = "" if procedures else CHOOSE_FIELD
            self._fill_rows(procedures, box)
        else:
            self.found = catalog.search(self.query, self.app.language) if self.query.strip() else []
            if not self.query.strip():
                self.message = TYPE_LETTERS
            elif not self.found:
                self.message = NO_MATCH
            self._fill_rows(self.found, box)

    def _fill_fields(self, catalog, box) -> None:
        for field in catalog.fields():
            count = len(catalog.in_field(field.id))
            tile = Tile(tag=f"field:{field.id}", style="tile", icon=field.icon, text=self.app.t(field.name),
                        hint=self.app.t(ONE) if count == 1 else self.app.t(COUNT, count=count))
            tile.bind(on_release=lambda _t, field=field.id: self.open_field(field))
            box.add_widget(tile)

    def _fill_rows(self, procedures, box) -> None:
        t, language = self.app.t, self.app.language
        for procedure in procedures:
            row = ProcedureRow(tag=f"procedure:{procedure.code}", icon=self._icons.get(procedure.field, "description"),
                               text=procedure.title(language),
                               hint=t(ROW_HINT, time=days_text(t, procedure.processing_days),
                                      fee=fee_text(t, procedure.fee_in_person)))
            row.bind(on_release=lambda _r, code=procedure.code: self.open_procedure(code))
            box.add_widget(row)

    def _show_keys(self, shown: bool) -> None:
        """The keyboard is there only while searching, leaving the field tiles the whole screen."""
        keys, body = self._keys, self._body
        if shown and keys.parent is None:
            body.add_widget(keys)
        elif not shown and keys.parent is not None:
            body.remove_widget(keys)

