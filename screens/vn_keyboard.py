"""The large on-screen keyboard for typing Vietnamese, and its numeric layout for dates and numbers.

``VnKeyboard`` edits its ``text``; a screen binds to ``text`` and to ``on_done``. ``mode`` picks the
layout:

- ``text``: a row of digits, the letters (QWERTY, as Telex typists know it), space, a few signs, the
  five tone buttons (sắc, huyền, hỏi, ngã, nặng) and the letters â ê ô ơ ư ă đ, which mark the last
  vowel group of the word being typed (``kiosk.vietnamese_input``) or type the letter when nothing
  fits. Telex is on by default ("Nguyeenx" types "Nguyễn"); the Telex key turns it off for typing
  plain letters. The shift key makes the next letter a capital; with ``capital_words`` every word
  starts with one by itself (names).
- ``date``: digits only, shown as ``dd/mm/yyyy`` (the slashes come by themselves);
- ``number`` and ``phone``: digits only.

Every key carries a ``tag`` (``kb:a``, ``kb:1``, ``kb:space``, ``kb:delete``, ``kb:tone:sac``,
``kb:mark:ee``, ``kb:telex``, ``kb:shift``, ``kb:done``; on the digit pad ``kb:num:0``…``kb:num:9``,
``kb:num:delete``, ``kb:num:done``) so the tests and the scripted visit can touch it.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk import vietnamese_input as vi
from kiosk.i18n import N_
from screens.ticket_parts import KeyButton, load_kv

DIGITS = "1234567890"
LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
#: Tone buttons: (tag, tone, what the key shows).
TONE_KEYS = (("sac", vi.ACUTE, "á"), ("huyen", vi.GRAVE, "à"), ("hoi", vi.HOOK, "ả"), ("nga", vi.TILDE, "ã"),
             ("nang", vi.DOT, "ạ"))
#: Mark buttons: (tag, letter), the tag in Telex spelling.
MARK_KEYS = (("aa", "â"), ("ee", "ê"), ("oo", "ô"), ("ow", "ơ"), ("uw", "ư"), ("aw", "ă"), ("dd", "đ"))
DATE_DIGITS = 8

SPACE = N_("Space")
DELETE = N_("Delete")
DONE = N_("Done")
TELEX_ON = N_("Telex on")
TELEX_OFF = N_("Telex off")
SHIFT = N_("Capital")


def date_text(digits: str) -> str:
    """``"120319"`` -> ``"12/03/19"``: digits typed for a date, with the slashes put in."""
    digits = digits[:DATE_DIGITS]
    out = digits[:2]
    if len(digits) >= 2:
        out += "/" + digits[2:4]
    if len(digits) >= 4:
        out += "/" + digits[4:]
    return out


def _load_own_kv() -> None:
    from pathlib import Path

    from kivy.lang import Builder

    path = str(Path(__file__).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)


class VnKeyboard(BoxLayout):
    text = StringProperty("")
    mode = OptionProperty("text", options=("text", "date", "number", "phone"))
    telex = BooleanProperty(True)
    shift = BooleanProperty(False)
    capital_words = BooleanProperty(False)
    max_length = NumericProperty(80)
    __events__ = ("on_done",)

    def __init__(self, **kwargs):
        load_kv()
        _load_own_kv()
        super().__init__(**kwargs)
        self._labels: list[tuple[KeyButton, str]] = []
        self._letter_keys: list[tuple[KeyButton, str]] = []
        self._telex_key: KeyButton | None = None
        self.bind(shift=lambda *_a: self._show_case(), telex=lambda *_a: self._relabel())
        self.bind(text=lambda *_a: self._auto_shift())

    def on_kv_post(self, _base) -> None:
        # the keys go in once the layout's own rule has been applied (a .kv file may build this widget)
        if self._telex_key is None:
            self._build_text_layout()
            self._build_number_layout()
            self._auto_shift()
            self._relabel()

    # --- what screens call ----------------------------------------------------------------------

    def edit(self, text: str, mode: str = "text", max_length: int = 80, capital_words: bool = False) -> None:
        """Start editing ``text`` with the layout for ``mode``."""
        self.mode = mode
        self.max_length = max_length
        self.capital_words = capital_words
        self.text = date_text("".join(c for c in text if c.isdigit())) if mode == "date" and text and \
            "/" not in text else text
        self._auto_shift()

    def relabel(self) -> None:
        """Say the word keys again in the visit's language (after a language switch)."""
        self._relabel()

    # --- keys -----------------------------------------------------------------------------------

    def press(self, key: str) -> None:
        """A letter, digit or sign key."""
        if self.mode != "text":
            self._digit(key)
            return
        if key.isalpha() and self.shift:
            key = key.upper()
            self.shift = False
        typed = vi.type_key(self.text, key, vi.TELEX if self.telex else vi.OFF)
        self._set(typed)

    def tone(self, tone: int) -> None:
        self._set(vi.apply_tone(self.text, tone))

    def mark(self, letter: str) -> None:
        if self.shift:
            _head, word = vi.split_last_word(self.text)
            if not word:
                letter = letter.upper()
            self.shift = False
        self._set(vi.apply_mark(self.text, letter))

    def space(self) -> None:
        if self.text and not self.text.endswith(" "):
            self._set(self.text + " ")

    def delete(self) -> None:
        if self.mode == "date":
            digits = "".join(c for c in self.text if c.isdigit())
            self.text = date_text(digits[:-1])
        else:
            self.text = vi.backspace(self.text)

    def toggle_telex(self) -> None:
        self.telex = not self.telex

    def toggle_shift(self) -> None:
        self.shift = not self.shift

    def done(self) -> None:
        self.dispatch("on_done")

    def on_done(self, *_args) -> None:
        pass

    # --- inside ---------------------------------------------------------------------------------

    def _set(self, text: str) -> None:
        if len(text) <= self.max_length:
            self.text = text

    def _digit(self, key: str) -> None:
        if not key.isdigit():
            return
        if self.mode == "date":
            digits = "".join(c for c in self.text if c.isdigit())
            if len(digits) < DATE_DIGITS:
                self.text = date_text(digits + key)
            return
        self._set(self.text + key)

    def _auto_shift(self) -> None:
        if self.mode != "text":
            return
        if not self.text or (self.capital_words and self.text.endswith(" ")):
            self.shift = True

    def _key(self, tag: str, text: str = "", icon: str = "", action=None, share: float = 1.0,
             label: str = "") -> KeyButton:
        button = KeyButton(tag=tag, text=text, icon=icon, size_hint_x=share)
        button.bind(on_release=lambda _b: action())
        if label:
            self._labels.append((button, label))
        return button

    def _row(self, box, keys) -> None:
        row = BoxLayout(spacing=self.ids.text_keys.spacing)
        for key in keys:
            row.add_widget(key)
        box.add_widget(row)

    def _build_text_layout(self) -> None:
        box = self.ids.text_keys
        self._row(box, [self._key(f"kb:{d}", d, action=lambda d=d: self.press(d)) for d in DIGITS])
        for number, letters in enumerate(LETTER_ROWS):
            keys = []
            if number == 2:
                keys.append(self._key("kb:shift", icon="arrow_upward", action=self.toggle_shift, share=1.5,
                                      label=SHIFT))
            for letter in letters:
                key = self._key(f"kb:{letter}", letter, action=lambda c=letter: self.press(c))
                self._letter_keys.append((key, letter))
                keys.append(key)
            if number == 1:
                keys.append(self._key("kb:sign:-", "-", action=lambda: self.press("-")))
            if number == 2:
                keys.append(self._key("kb:delete", icon="backspace", action=self.delete, share=1.5, label=DELETE))
            self._row(box, keys)
        self._row(box, [self._key(f"kb:tone:{tag}", shown, action=lambda t=tone: self.tone(t))
                        for tag, tone, shown in TONE_KEYS])
        marks = []
        for tag, letter in MARK_KEYS:
            key = self._key(f"kb:mark:{tag}", letter, action=lambda c=letter: self.mark(c))
            self._letter_keys.append((key, letter))
            marks.append(key)
        self._row(box, marks)
        self._telex_key = self._key("kb:telex", icon="keyboard", action=self.toggle_telex, share=2)
        self._row(box, [
            self._telex_key,
            self._key("kb:sign:,", ",", action=lambda: self.press(",")),
            self._key("kb:space", icon="space_bar", action=self.space, share=3.5, label=SPACE),
            self._key("kb:sign:.", ".", action=lambda: self.press(".")),
            self._key("kb:sign:/", "/", action=lambda: self.press("/")),
            self._key("kb:done", icon="check", action=self.done, share=2, label=DONE),
        ])
        self._show_case()

    def _build_number_layout(self) -> None:
        grid = self.ids.number_keys
        for digit in "123456789":
            grid.add_widget(self._key(f"kb:num:{digit}", digit, action=lambda d=digit: self.press(d)))
        grid.add_widget(self._key("kb:num:delete", icon="backspace", action=self.delete, label=DELETE))
        grid.add_widget(self._key("kb:num:0", "0", action=lambda: self.press("0")))
        grid.add_widget(self._key("kb:num:done", icon="check", action=self.done, label=DONE))

    def _show_case(self) -> None:
        for key, letter in self._letter_keys:
            key.text = letter.upper() if self.shift else letter

    def _relabel(self) -> None:
        from kivy.app import App

        app = App.get_running_app()
        t = app.t if app is not None else (lambda message, **_v: message)
        for button, label in self._labels:
            button.text = t(label)
        if self._telex_key is None:
            return
        self._telex_key.text = t(TELEX_ON if self.telex else TELEX_OFF)
        self._telex_key.style = "tile" if self.telex else "button"
