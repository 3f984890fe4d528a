"""Taking a number, step 1: the center's services as large tiles with icons.

The tiles come from the central service's list (``GET /api/v1/services``, or the last list the kiosk
saw while offline). Touching a tile says the service's name aloud, for citizens who cannot read, and
leads to the confirmation step. A citizen who knows the procedure but not the service can search for
it. While no ticket can be printed the tiles are off and the reason is shown, unless the kiosk is
allowed to show numbers on screen; while the kiosk works offline a band says so.
"""

from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import N_
from kiosk.tickets import TicketError
from kiosk.ticket_flow import Availability
from kiosk.printing.ticket import COUNTER
from screens.base import KioskScreen
from screens.ticket_parts import in_background, load_kv, service_icon
from screens.widgets import Tile

log = logging.getLogger(__name__)

LOADING = N_("Loading the services…")
CHOOSE = N_("Which service do you need?")
NOT_HERE = N_("Numbers cannot be taken at this kiosk. Please ask at the reception desk.")
ON_SCREEN = N_("The printer is not working: your number will be shown on the screen instead.")


class TicketServicesScreen(KioskScreen):
    #: A message id over the tiles: why no number can be taken, or that it will only be shown.
    problem = StringProperty("")
    offline_notice = StringProperty("")
    loading = BooleanProperty(False)
    #: A number can be taken now (printed, or shown on screen).
    can_take = BooleanProperty(True)

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = N_("Get a queue number")
        self.guidance = N_("Touch the service you need. You will hear its name.")
        self.services: list[dict] = []
        self.tiles: dict[str, Tile] = {}
        self._unsubscribe = []
        self.app.bind(language=lambda *_a: self._relabel())
        refit = Clock.create_trigger(lambda _dt: self._fit_tiles(), -1)
        self.ids.scroll.bind(height=lambda *_a: refit())
        self.app.bind(theme=lambda *_a: refit())

    @property
    def desk(self):
        return getattr(self.kiosk, "desk", None)

    def show(self, **_params) -> None:
        self._update_state()
        if self.desk is None:
            return
        self.loading = not self.services
        in_background(self.desk.services, self._fill, self._failed, name="ticket-services")

    def on_enter(self, *_args) -> None:
        desk, sync = self.desk, getattr(self.kiosk, "sync", None)
        if desk is not None:
            self._unsubscribe.append(desk.monitor.subscribe(lambda _state: Clock.schedule_once(self._update_state)))
        if sync is not None:
            self._unsubscribe.append(sync.subscribe(lambda _snap: Clock.schedule_once(self._update_state)))

    def on_leave(self, *_args) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    def _update_state(self, *_args) -> None:
        desk = self.desk
        available = desk.availability(desk.monitor.peek()) if desk is not None else Availability(False, False, NOT_HERE)
        self.problem = "" if available.prints else (ON_SCREEN if available.can_take else available.reason or NOT_HERE)
        self.can_take = available.can_take
        for tile in self.tiles.values():
            tile.disabled = not available.can_take
            tile.style = "tile" if available.can_take else "button"
        sync = getattr(self.kiosk, "sync", None)
        self.offline_notice = (sync.snapshot().notice or "") if sync is not None else ""

    def _fill(self, services: list[dict]) -> None:
        self.loading = False
        codes = [str(s.get("code")) for s in services]
        if codes == [str(s.get("code")) for s in self.services] and self.tiles:
            self.services = services
            self._relabel()
            return
        self.services = services
        box = self.ids.tiles
        box.clear_widgets()
        self.tiles.clear()
        for service in services:
            code = str(service.get("code"))
            tile = Tile(tag=f"service:{code}", style="tile", icon=service_icon(service.get("icon")))
            tile.bind(on_release=lambda _tile, code=code: self.choose(code))
            tile.disabled = not self.can_take
            tile.style = "tile" if self.can_take else "button"
            box.add_widget(tile)
            self.tiles[code] = tile
        self._relabel()
        self._fit_tiles()
        self._update_state()

    def _fit_tiles(self) -> None:
        """The tiles share the height there is (all in view), never taller than the theme's tile nor too
        small for their icon and two lines of text."""
        if not self.tiles:
            return
        theme, count = self.app.theme, len(self.tiles)
        share = (self.ids.scroll.height - theme.gap * (count - 1)) / count
        content = theme.mm(6) + max(theme.icon_large, 1.25 * theme.font_label + 1.5 * theme.font_small)
        height = max(content, min(theme.tile_height, share))
        for tile in self.tiles.values():
            tile.height = height

    def _failed(self, err: BaseException) -> None:
        self.loading = False
        if isinstance(err, TicketError):
            self.problem = err.citizen_message
            log.info("services not shown: %s", err)
        else:
            log.error("services not shown: %s: %s", type(err).__name__, err)
            self.problem = NOT_HERE

    def _relabel(self) -> None:
        language = self.app.language
        for service in self.services:
            tile = self.tiles.get(str(service.get("code")))
            if tile is None:
                continue
            names = service.get("name") or {}
            tile.text = names.get(language) or names.get("vi") or str(service.get("code"))
            counters = ", ".join(str(c) for c in service.get("counters") or ())
            tile.hint = self.app.t(COUNTER, counters=counters) if counters else ""

    def choose(self, code: str) -> None:
        if self.can_take:
            self.app.go("ticket_confirm", service=code)

    def search(self) -> None:
        self.app.go("ticket_search")

    def reset(self) -> None:
        self.problem = ""
