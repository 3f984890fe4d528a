"""Look up a dossier: hold the appointment slip's QR code under the reader, or type its code.

While the screen shows, the QR reader scans without end (``CardScan``): a dossier slip
(``MOTCUA:D:<code>``) is looked up at once. A chip ID card held here by mistake is answered politely
("scan the slip, not the card"); a queue ticket leads to its place in the queue.

The code can also be typed on large keys: digits, the dash, the letters this center's codes use (its
center code and the kiosk's offline prefix, e.g. ``HT01-2611-000123`` and ``K1-261122-0007``) and,
behind "ABC", every letter for slips from elsewhere. "Look up" asks ``kiosk.dossiers.lookup`` on a
thread and shows the public view on ``dossier_status``; not found, too many tries and offline are
said in plain words.
"""

from __future__ import annotations

import logging
import string

from kivy.properties import BooleanProperty, DictProperty, StringProperty

from kiosk import references
from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.card_scan import CardScan
from screens.ticket_parts import KeyButton, in_background, load_kv

log = logging.getLogger(__name__)

#: The longest code the keypad takes (codes and references are far shorter).
MAX_LENGTH = 24
MIN_LENGTH = 4

SCAN_HINT = N_("Hold the QR code of your appointment slip under the reader, or type the dossier code below.")
LOOKING = N_("Looking up your dossier…")
NOT_A_SLIP_CARD = N_("This is your ID card. To look up a dossier, please scan the QR code on the appointment slip, "
                     "not the card. You will be asked for your card later to see the details.")
NOT_A_SLIP = N_("This QR code is not a dossier slip. Please scan the QR code on your appointment slip.")
READER_FAILED = N_("The reader is not working right now. Please type the code from your slip.")
TYPE_CODE = N_("Please type the whole code printed on your slip, for example HT01-2611-000123.")
LOOKUP_FAILED = N_("The dossier cannot be looked up right now. Please ask at the reception desk.")
LETTERS = N_("Letters")
DIGITS = N_("Digits")
DELETE = N_("Delete")
CLEAR = N_("Clear")


def quick_letters(*codes: str) -> list[str]:
    """The letters the center's own codes use, in order of first appearance (``HT01``, ``K1`` → H, T, K)."""
    seen: list[str] = []
    for code in codes:
        for ch in str(code).upper():
            if ch in string.ascii_uppercase and ch not in seen:
                seen.append(ch)
    return seen


class LookupScreen(KioskScreen):
    code = StringProperty("")
    #: A message id for the citizen, and whether it is a problem.
    message = StringProperty(SCAN_HINT)
    message_values = DictProperty({})
    message_kind = StringProperty("info")
    busy = BooleanProperty(False)
    #: The keypad shows every letter instead of the digits.
    letters = BooleanProperty(False)

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = N_("Look up or pick up a dossier")
        self.guidance = N_("Hold the QR code of your appointment slip under the reader, or type the dossier code.")
        self._asked = 0
        self.scan = CardScan(
            lambda: self.kiosk.devices.qr_reader,
            on_identity=self._card,
            on_rejected=self._rejected,
            on_error=self._reader_failed,
            timeout_s=lambda: None,
        )
        center = self.kiosk.config.center.code
        prefix = self.kiosk.config.kiosk.offline_prefix
        self._build_keys(quick_letters(center, prefix))
        self.bind(letters=lambda *_a: self._show_keys())
        self._show_keys()

    # --- the keypad -------------------------------------------------------------------------------

    def _build_keys(self, quick: list[str]) -> None:
        self.digit_keys = [self._key(k, k) for k in "123456789"] + [self._key("-", "-"), self._key("0", "0")]
        self.digit_keys.append(self._action_key("key:letters", "abc", LETTERS, lambda: setattr(self, "letters", True)))
        self.letter_keys = [self._key(k, k) for k in string.ascii_uppercase]
        self.letter_keys.append(self._action_key("key:digits", "dialpad", DIGITS,
                                                 lambda: setattr(self, "letters", False)))
        for letter in quick:
            self.ids.quick.add_widget(self._key(letter, letter, tag=f"key:quick:{letter}"))
        self.ids.quick.add_widget(self._action_key("key:clear", "clear", CLEAR, self.clear))
        self.ids.quick.add_widget(self._action_key("key:delete", "backspace", DELETE, self.delete))

    def _key(self, text: str, value: str, tag: str | None = None) -> KeyButton:
        key = KeyButton(tag=tag or f"key:{value}", text=text)
        key.bind(on_release=lambda _k: self.type(value))
        return key

    def _action_key(self, tag: str, icon: str, label: str, action) -> KeyButton:
        key = KeyButton(tag=tag, icon=icon, text=self.app.t(label))
        key.bind(on_release=lambda _k: action())
        self.app.bind(language=lambda *_a: setattr(key, "text", self.app.t(label)))
        return key

    def _show_keys(self) -> None:
        pad = self.ids.keypad
        pad.clear_widgets()
        pad.cols = 7 if self.letters else 3
        for key in self.letter_keys if self.letters else self.digit_keys:
            pad.add_widget(key)

    def type(self, text: str) -> None:
        if len(self.code) >= MAX_LENGTH or (text == "-" and (not self.code or self.code.endswith("-"))):
            return
        self.code += text
        self._quiet()

    def delete(self) -> None:
        self.code = self.code[:-1]
        self._quiet()

    def clear(self) -> None:
        self.code = ""
        self._quiet()

    def _quiet(self) -> None:
        if self.message_kind == "error":
            self._say(SCAN_HINT, speak=False)

    # --- showing ----------------------------------------------------------------------------------

    def show(self, code: str = "", **_params) -> None:
        self.busy = False
        self.letters = False
        if code:
            self.code = code.upper()
        self._say(SCAN_HINT, speak=False)
        if self.kiosk.devices.qr_reader is None:
            self._say(READER_FAILED, "error", speak=False)
        else:
            self.scan.start()

    def on_pre_leave(self, *_args) -> None:
        self.scan.stop()
        self._asked += 1
        self.busy = False

    def reset(self) -> None:
        self.scan.stop()
        self._asked += 1
        self.code = ""
        self.busy = False
        self.letters = False
        self.message, self.message_kind, self.message_values = SCAN_HINT, "info", {}

    # --- looking up -------------------------------------------------------------------------------

    def look_up(self, code: str | None = None) -> None:
        """"Look up" (or a scanned slip): ask the central service, then show the dossier's status."""
        code = (code if code is not None else self.code).strip().upper()
        if self.busy:
            return
        if len(code) < MIN_LENGTH or not references.VALUE.match(code) or code.endswith("-"):
            self._say(TYPE_CODE, "error")
            return
        dossiers = getattr(self.kiosk, "dossiers", None)
        if dossiers is None:
            self._say(LOOKUP_FAILED, "error")
            return
        self.busy = True
        self._asked += 1
        asked = self._asked
        self._say(LOOKING)

        def done(status) -> None:
            if asked != self._asked:
                return
            self.busy = False
            self._say(SCAN_HINT, speak=False)
            self.app.go("dossier_status", code=str(status.get("code") or code), status=status)

        def failed(err) -> None:
            if asked != self._asked:
                return
            self.busy = False
            message, values = citizen_problem(err, LOOKUP_FAILED)
            self._say(message, "error", **values)

        in_background(lambda: dossiers.lookup(code), done, failed, name="dossier-lookup")

    def _say(self, message: str, kind: str = "info", *, speak: bool = True, **values) -> None:
        self.message, self.message_kind, self.message_values = message, kind, values
        if speak:
            self.app.say(message, **values)

    # --- what the reader saw (UI thread) ----------------------------------------------------------

    def _card(self, _identity) -> None:
        # The card is not kept: a dossier's details ask for it again, on purpose.
        self.app.idle.touch()
        self._say(NOT_A_SLIP_CARD, "error")

    def _rejected(self, _error, kind: str | None, reference) -> None:
        self.app.idle.touch()
        if kind == "dossier" and reference is not None:
            self.code = reference.value.upper()
            self.look_up(reference.value)
        elif kind == "ticket" and reference is not None and "ticket_status" in self.app.registry:
            self.app.go("ticket_status", handle=reference.value)
        else:
            self._say(NOT_A_SLIP, "error")

    def _reader_failed(self, error) -> None:
        log.warning("QR reader failed on the lookup screen: %s", error)
        self._say(READER_FAILED, "error")


def citizen_problem(err: BaseException, fallback: str) -> tuple[str, dict]:
    """What to tell the citizen about a failed dossier request: a message id and its values.

    A ``DossierError`` carries its own (``message``, ``values``); anything else is unexpected and reads
    as ``fallback``. The operator's side goes to the log, without personal data.
    """
    message = getattr(err, "message", None)
    if isinstance(message, str) and message and hasattr(err, "detail"):
        log.info("dossier request refused (%s): %s", getattr(err, "code", "error"), getattr(err, "detail", ""))
        return message, dict(getattr(err, "values", None) or {})
    log.error("dossier request failed: %s", type(err).__name__)
    return fallback, {}
