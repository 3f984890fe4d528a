"""The home screen: the five things a citizen can do at the kiosk, as large tiles.

Each tile names the screen of its task. Until that screen is in the registry the tile leads to the
"coming soon" screen, so adding a task's screen to ``screens.registry.SCREENS`` is all it takes to
switch its tile over. The ticket tile follows the printer (``kiosk.desk.monitor``): while no number
can be printed, or shown on screen where config allows, it is off and its hint says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from kivy.clock import Clock

from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.widgets import Tile


@dataclass(frozen=True)
class Task:
    screen: str
    icon: str
    label: str
    hint: str


TASKS = (
    Task("ticket", "confirmation_number", N_("Get a queue number"), N_("Print a number and wait to be called")),
    Task("procedures", "assignment", N_("Procedures and dossiers"), N_("See what to bring, then submit a dossier")),
    Task("identify", "badge", N_("Identify with your CCCD"), N_("Scan the QR code on your chip ID card")),
    Task("digitize", "document_scanner", N_("Digitize documents"), N_("Scan your papers for a dossier")),
    Task("lookup", "manage_search", N_("Look up or pick up a dossier"), N_("See its progress and collect the result")),
    Task("rating", "star", N_("Rate the service"), N_("Tell us how we served you")),
)


#: The digitize tile's hint at a kiosk without a document camera (the screen then says what to do).
NO_DOCUMENT_CAMERA = N_("No document camera at this kiosk: staff at the reception desk can scan your papers")


class HomeScreen(KioskScreen):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = N_("Choose a service")
        self.guidance = N_("What would you like to do? Touch one of the large buttons.")
        self.tiles: dict[str, Tile] = {}
        #: Why no queue number can be taken now (a message id), shown as the ticket tile's hint.
        self.ticket_problem = ""
        for task in TASKS:
            tile = Tile(tag=f"tile:{task.screen}", style="tile", icon=task.icon)
            tile.bind(on_release=lambda _tile, task=task: self.open(task))
            self.app.bind(language=lambda *_a, tile=tile, task=task: self._label(tile, task))
            self._label(tile, task)
            self.ids.tiles.add_widget(tile)
            self.tiles[task.screen] = tile
        # after the kv rules have applied the new theme's sizes, in the same frame
        refit = Clock.create_trigger(lambda _dt: self._fit_tiles(), -1)
        self.ids.scroll.bind(height=lambda *_a: refit())
        self.app.bind(theme=lambda *_a: refit())
        self._fit_tiles()
        desk = getattr(self.kiosk, "desk", None)
        if desk is not None:
            desk.monitor.subscribe(lambda _state: Clock.schedule_once(lambda _dt: self._ticket_state()))
        self._ticket_state()

    def on_pre_enter(self, *_args) -> None:
        self._ticket_state()
        self._label(self.tiles["digitize"], next(t for t in TASKS if t.screen == "digitize"))

    def _ticket_state(self) -> None:
        """The ticket tile is off, its hint saying why, while no number can be printed (or shown)."""
        tile, desk = self.tiles.get("ticket"), getattr(self.kiosk, "desk", None)
        if tile is None or desk is None:
            return
        available = desk.availability(desk.monitor.peek())
        tile.disabled = not available.can_take
        tile.style = "tile" if available.can_take else "button"
        tile.icon = TASKS[0].icon if available.can_take else "print_disabled"
        self.ticket_problem = "" if available.can_take else available.reason or ""
        self._label(tile, TASKS[0])

    def _fit_tiles(self) -> None:
        """Tiles share the screen's height, never taller than the theme's tile nor too small for their text."""
        theme = self.app.theme
        count = len(self.tiles)
        share = (self.ids.scroll.height - theme.gap * (count - 1)) / count
        content = theme.mm(6) + max(theme.icon_large, 1.25 * theme.font_label + 2.5 * theme.font_small)
        height = max(content, min(theme.tile_height, share))
        for tile in self.tiles.values():
            tile.height = height

    def _label(self, tile: Tile, task: Task) -> None:
        tile.text = self.app.t(task.label)
        problem = self.ticket_problem if task.screen == "ticket" else ""
        if task.screen == "digitize" and self.kiosk.devices.camera is None:
            problem = NO_DOCUMENT_CAMERA
        tile.hint = self.app.t(problem or task.hint)

    def open(self, task: Task) -> None:
        if task.screen in self.app.registry:
            self.app.go(task.screen)
        else:
            self.app.go("coming_soon", title=task.label, icon=task.icon)
