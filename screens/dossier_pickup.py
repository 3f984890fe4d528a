"""Picking up a result from this kiosk's locker, step by step, in large words, with an icon, said aloud.

``kiosk.dossiers.pickup(code, identity, on_step=...)`` runs on a thread as soon as the screen shows:
the compartment opens, the citizen takes the result and closes the door, the handover is recorded
(only once the door is shut with the compartment empty) and the pickup slip printed. Each step it
reports is shown and spoken here. While it runs, back and home are hidden (the door is open) and the visit does not time out.

A jammed lock, a door left open or a result still inside end with a clear message (the kiosk has
alerted staff); the handover is then not recorded. "Finish" goes on to the rating.
"""

from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.properties import BooleanProperty, DictProperty, OptionProperty, StringProperty

from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.dossier_status import LOOK_UP_FIRST
from screens.lookup import citizen_problem
from screens.ticket_parts import in_background, load_kv

log = logging.getLogger(__name__)

#: step -> (icon, message id formatted with ``compartment``)
STEPS = {
    "opening": ("hourglass_top", N_("Opening compartment {compartment}…")),
    "open": ("sensor_door", N_("Compartment {compartment} is open. Take your result and close the door.")),
    "closed": ("door_front", N_("Thank you. The door is closed.")),
    "recording": ("cloud_upload", N_("Recording that you have collected your result…")),
    "printed": ("task_alt", N_("Done — pickup slip printed. Please take it from the printer.")),
    "print_failed": ("print_disabled", N_("Done — your result is recorded as collected, but the pickup slip "
                                          "could not be printed. Staff have been told.")),
}
DONE = ("task_alt", N_("Done — your result is recorded as collected."))
FAILED = N_("The result could not be handed over. Staff have been called; please wait here.")
SCAN_CARD_FIRST = N_("Scan your chip ID card on your dossier's page first.")
FINISH = N_("Finish")
BACK_TO_DOSSIER = N_("Back to my dossier")
FINAL_STEPS = ("printed", "print_failed")
#: How often a running pickup tells the idle timer the citizen is still there.
KEEP_ALIVE_S = 5.0


class DossierPickupScreen(KioskScreen):
    code = StringProperty("")
    compartment = StringProperty("")
    step = StringProperty("")
    state = OptionProperty("idle", options=("idle", "running", "done", "failed"))
    icon = StringProperty("inventory_2")
    message = StringProperty("")
    message_values = DictProperty({})
    busy = BooleanProperty(False)

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = N_("Pick up your result")
        self.guidance = ""
        self.service = ""
        self._run = 0
        self._keep_alive = None
        self.bind(busy=self._busy_changed)

    def _busy_changed(self, _screen, busy: bool) -> None:
        """While the pickup runs, back and home are hidden and the visit does not time out: the citizen is
        at the locker, not touching the screen."""
        self.navigation = not busy
        if self._keep_alive is not None:
            self._keep_alive.cancel()
            self._keep_alive = None
        if busy:
            self._keep_alive = Clock.schedule_interval(lambda _dt: self.app.idle.touch(), KEEP_ALIVE_S)

    def show(self, code: str = "", compartment: str = "", service: str = "", **_params) -> None:
        code = str(code or "").upper()
        if code and code == self.code and self.state in ("running", "done"):
            return  # this pickup has begun already (the screen is shown again): never start it twice
        self._run += 1
        self.code, self.compartment, self.service = code, str(compartment or ""), str(service or "")
        self.step = ""
        self.state = "idle"
        identity = self.app.identity
        dossiers = getattr(self.kiosk, "dossiers", None)
        if not code:
            self._show("info", LOOK_UP_FIRST)
            self.app.say(LOOK_UP_FIRST)
        elif identity is None:
            self._show("badge", SCAN_CARD_FIRST)
            self.app.say(SCAN_CARD_FIRST)
        elif dossiers is None:
            self._fail(FAILED, {})
        else:
            self._start(dossiers, identity)

    def _start(self, dossiers, identity) -> None:
        run, code, language = self._run, self.code, self.app.language
        self.state = "running"
        self.busy = True
        self._step("opening")

        def on_step(step: str) -> None:  # on the pickup's thread
            Clock.schedule_once(lambda _dt: self._step(step) if run == self._run else None)

        def done(result) -> None:
            if run != self._run:
                return
            self.busy = False
            self.state = "done"
            result = result if isinstance(result, dict) else {}
            if result.get("compartment"):
                self.compartment = str(result["compartment"])
            if result.get("message"):  # the result is in hand, but the handover or the slip needs staff
                self._show("print_disabled" if result.get("recorded") else "report_problem", result["message"],
                           speak=True)
            elif self.step not in FINAL_STEPS:
                self._show(*DONE, speak=True)

        def failed(err) -> None:
            if run != self._run:
                return
            self.busy = False
            message, values = citizen_problem(err, FAILED)
            self._fail(message, values)

        in_background(lambda: dossiers.pickup(code, identity, on_step=on_step, language=language), done, failed,
                      name="dossier-pickup")

    def _step(self, step: str) -> None:
        self.app.idle.touch()
        self.step = step
        icon, message = STEPS.get(step, ("hourglass_top", ""))
        if message:
            self._show(icon, message, speak=True)

    def _fail(self, message: str, values: dict) -> None:
        self.state = "failed"
        self._show("report_problem", message, speak=True, **values)

    def _show(self, icon: str, message: str, *, speak: bool = False, **values) -> None:
        values = {"compartment": self.compartment, **values}
        self.icon, self.message, self.message_values = icon, message, values
        if speak:
            self.app.say(message, **values)

    # --- what the citizen can do ------------------------------------------------------------------

    def finish(self) -> None:
        self.app.finish_visit(service=self.service or None, did_something=True)

    def back_to_dossier(self) -> None:
        self.app.back()

    def reset(self) -> None:
        self._run += 1
        self.busy = False
        self.code = self.compartment = self.step = self.service = ""
        self.state = "idle"
        self.icon, self.message, self.message_values = "inventory_2", "", {}
