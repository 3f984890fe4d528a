"""Taking a number, optional step: find the procedure, and so the service to take a number for.

The citizen types the first letters of the procedure on large on-screen keys (diacritics are not
needed: "khai sinh" finds "Đăng ký khai sinh"); the list of matching procedures follows after each
key. Touching a procedure leads to the confirmation step for its service. Searching asks the central
service; while the kiosk is offline the screen says to choose a service instead.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import ListProperty, StringProperty

from kiosk.i18n import N_
from kiosk.tickets import TicketError
from screens.base import KioskScreen
from screens.ticket_parts import add_letter_keys, in_background, load_kv, service_icon
from screens.widgets import Tile

NO_MATCH = N_("No procedure matches. Try fewer letters.")
SERVICE_HINT = N_("Service {service}: {name}")
SEARCH_DELAY_S = 0.3


class TicketSearchScreen(KioskScreen):
    query = StringProperty("")
    message = StringProperty("")
    results = ListProperty([])

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = N_("Find your procedure")
        self.guidance = N_("Type the first letters of the procedure, then touch it in the list.")
        self._pending = Clock.create_trigger(lambda _dt: self._search(), SEARCH_DELAY_S)
        self._asked = ""
        add_letter_keys(self, self.type, self.delete)
        self.app.bind(language=lambda *_a: self._show_results())

    @property
    def desk(self):
        return getattr(self.kiosk, "desk", None)

    def show(self, **_params) -> None:
        if not self.results and not self.query:
            self._search()

    def type(self, text: str) -> None:
        if len(self.query) < 40 and not (text == " " and self.query.endswith(" ")):
            self.query = (self.query + text).lstrip()
            self._pending()

    def delete(self) -> None:
        self.query = self.query[:-1]
        self._pending()

    def _search(self) -> None:
        desk = self.desk
        if desk is None:
            return
        query = self.query
        self._asked = query

        def done(found) -> None:
            if query == self._asked:
                self.results = found
                self.message = "" if found else NO_MATCH
                self._show_results()

        def failed(err) -> None:
            if query == self._asked:
                self.results = []
                self.message = err.citizen_message if isinstance(err, TicketError) else NO_MATCH
                self._show_results()

        in_background(lambda: desk.procedures(query), done, failed, name="ticket-search")

    def _show_results(self) -> None:
        box = self.ids.results
        box.clear_widgets()
        language = self.app.language
        names = {}
        if self.desk is not None:
            for procedure in self.results:
                code = procedure["service"]
                names[code] = self.desk.service_name(code, language) if code not in names else names[code]
        for procedure in self.results:
            name = (procedure.get("name") or {}).get(language) or (procedure.get("name") or {}).get("vi", "")
            service = procedure["service"]
            tile = Tile(tag=f"procedure:{procedure.get('code')}", style="button",
                        icon=service_icon(self.desk.service(service).get("icon")) if self.desk else "description",
                        text=name, hint=self.app.t(SERVICE_HINT, service=service, name=names.get(service, "")))
            tile.bind(on_release=lambda _t, service=service: self.app.go("ticket_confirm", service=service))
            box.add_widget(tile)

    def reset(self) -> None:
        self.query = ""
        self.message = ""
        self.results = []
        self._asked = ""
        self.ids.results.clear_widgets()
