"""The admin PIN screen: a large numeric keypad, the digits shown as dots, the lockout in plain words.

The hidden gesture (``screens.admin_mode``) leads here. The keys never speak their digit. The PIN is
checked by ``kiosk.admin.pin.AdminPin`` on a thread (scrypt takes a moment); the right one opens
maintenance, a wrong one says how many tries are left, and after too many the screen says for how
many minutes admin mode is locked and turns the keypad off. Without a PIN on the kiosk it says how
staff set one. "Back" returns to where the gesture was made; two minutes without a touch end the
visit, if one was open, on the attract screen.
"""

from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.properties import BooleanProperty, DictProperty, OptionProperty, StringProperty

from kiosk.admin.pin import MSG_LOCKED, MSG_NOT_SET, PIN_LENGTHS, AdminPin
from kiosk.i18n import N_
from screens import admin_mode
from screens.base import KioskScreen
from screens.ticket_parts import KeyButton, in_background, load_kv

log = logging.getLogger(__name__)

DOT = "●"
#: The keypad, row by row: a digit, or (tag, icon, label, action).
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9",
        ("pin:erase", "backspace", N_("Erase"), "erase"), "0", ("pin:ok", "check", N_("OK"), "submit"))
KEY_HEIGHT_MM = 26
MSG_ENTER = N_("Staff only. Enter the admin PIN, then press OK.")
MSG_TOO_SHORT = N_("The PIN has {low} to {high} digits.")
MSG_CHECKING = N_("Checking the PIN…")


class AdminPinScreen(KioskScreen):
    dots = StringProperty("")
    message = StringProperty("")
    values = DictProperty({})
    kind = OptionProperty("info", options=("info", "error"))
    #: The keypad takes digits (a PIN is set and admin mode is not locked).
    keypad = BooleanProperty(False)
    busy = BooleanProperty(False)

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = N_("Admin mode")
        self.guidance = N_("Staff only. Enter the admin PIN.")
        self._entry = ""
        self._idle = None
        self._labels: list[tuple[KeyButton, str]] = []
        for key in KEYS:
            self.ids.keypad.add_widget(self._key(key))
        self.bind(keypad=self._enable, busy=self._enable)
        self.app.bind(language=lambda *_a: self._relabel(), theme=lambda *_a: self._resize())
        self._enable()
        self._relabel()
        self._resize()

    def _key(self, key) -> KeyButton:
        if isinstance(key, str):
            button = KeyButton(tag=f"pin:{key}", text=key, speak=False)
            button.bind(on_release=lambda _b, digit=key: self.digit(digit))
            return button
        tag, icon, label, action = key
        button = KeyButton(tag=tag, icon=icon, speak=False, style="tile" if action == "submit" else "button")
        button.bind(on_release=lambda _b: getattr(self, action)())
        self._labels.append((button, label))
        return button

    def _enable(self, *_args) -> None:
        for button in self.ids.keypad.children:
            button.disabled = not self.keypad or self.busy

    def _relabel(self) -> None:
        for button, label in self._labels:
            button.text = self.app.t(label)

    def _resize(self) -> None:
        for button in self.ids.keypad.children:
            button.size_hint_y = None
            button.height = self.app.theme.mm(KEY_HEIGHT_MM)

    @property
    def pin(self) -> AdminPin:
        found = self.kiosk.extras.get("admin_pin") if hasattr(self.kiosk, "extras") else None
        return found if found is not None else AdminPin(self.kiosk.config.kiosk.data_dir)

    def show(self, **_params) -> None:
        self._set_entry("")
        self.busy = False
        self.refresh()

    def refresh(self) -> None:
        """Say whether a PIN can be entered now: not set, locked (for how long) or ready."""
        pin = self.pin
        if not pin.is_set():
            self._say(MSG_NOT_SET, kind="error")
            self.keypad = False
            return
        attempts = pin.attempts()
        now = pin.clock()
        if attempts.locked_until > now:
            minutes = max(1, -int(-(attempts.locked_until - now) // 60))
            self._say(MSG_LOCKED, {"minutes": minutes}, kind="error")
            self.keypad = False
            return
        self._say(MSG_ENTER)
        self.keypad = True

    def _say(self, message: str, values: dict | None = None, kind: str = "info") -> None:
        self.message, self.values, self.kind = message, dict(values or {}), kind

    def _set_entry(self, entry: str) -> None:
        self._entry = entry
        self.dots = DOT * len(entry)

    # --- the keypad -------------------------------------------------------------------------------

    def digit(self, digit: str) -> None:
        if self.keypad and not self.busy and len(self._entry) < PIN_LENGTHS[1]:
            self._set_entry(self._entry + digit)

    def erase(self) -> None:
        if not self.busy:
            self._set_entry(self._entry[:-1])

    def submit(self) -> None:
        if not self.keypad or self.busy:
            return
        low, high = PIN_LENGTHS
        if not low <= len(self._entry) <= high:
            self._say(MSG_TOO_SHORT, {"low": low, "high": high}, kind="error")
            return
        entry, pin = self._entry, self.pin
        self._set_entry("")
        self.busy = True
        self._say(MSG_CHECKING)
        in_background(lambda: pin.check(entry), self._checked, self._failed, name="admin-pin")

    def _checked(self, answer) -> None:
        self.busy = False
        if self.manager is None or self.manager.current != self.name:
            return  # left the screen while the PIN was being checked
        if answer.ok:
            admin_mode.enter_maintenance(self.app)
            return
        self._say(answer.message, answer.values, kind="error")
        if answer.outcome != "wrong":
            self.keypad = False

    def _failed(self, err: BaseException) -> None:
        self.busy = False
        log.error("admin PIN check failed: %s", type(err).__name__)
        self.refresh()

    # --- leaving ----------------------------------------------------------------------------------

    def on_enter(self, *_args) -> None:
        self._idle = Clock.schedule_interval(lambda _dt: self._check_idle(), 1.0)

    def on_leave(self, *_args) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        self._set_entry("")

    def _check_idle(self) -> None:
        if self.manager is not None and self.manager.current == self.name and admin_mode.idle_for(self.app) > admin_mode.ADMIN_IDLE_S:
            log.info("admin: PIN screen left after %g s without a touch", admin_mode.ADMIN_IDLE_S)
            self.app.end_visit("timeout")

    def reset(self) -> None:
        self._set_entry("")
        self.busy = False
