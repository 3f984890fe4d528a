"""Vietnamese typing: Telex and VNI keys, and the accent buttons of the on-screen keyboard.

Everything works on the last word of the text (the letters after the last space): a key either adds
itself or puts a mark on that word.

- Telex: ``s f r x j`` give the tones sắc, huyền, hỏi, ngã, nặng and ``z`` removes the tone;
  ``aa ee oo`` give ``â ê ô``, ``aw ow uw`` give ``ă ơ ư`` (``uow`` gives ``ươ``, a lone ``w`` gives
  ``ư``) and ``dd`` gives ``đ``. "Nguyeenx" types "Nguyễn".
- VNI: ``1``–``5`` the tones, ``0`` removes it, ``6`` the hat (â ê ô), ``7`` the horn (ơ ư), ``8`` the
  breve (ă), ``9`` the stroke (đ). "Nguye6n4" types "Nguyễn".
- Typing a mark's key again takes the mark off and types the key itself: "aa" + "a" is "aa",
  "as" + "s" is "as", "dd" + "d" is "dd".
- A key only marks a word that reads as one Vietnamese syllable (consonants, a vowel group, one of
  the endings c ch m n ng nh p t) and only into a vowel group Vietnamese has; otherwise it is typed
  as a letter ("Nguyen" + "k" + "s" is "Nguyenks"). Capitals stay capitals.

The tone goes where the modern spelling rule puts it (``STYLE_NEW``, the rule of the Ministry of
Education's 2018 spelling guidance): on the vowel with a hat or horn when there is one, on the last
vowel before an ending consonant, on the second vowel of ``oa oe uy`` ("hoà", "khoẻ", "thuý"), else
on the first of two vowels or the middle of three. ``STYLE_OLD`` keeps "hòa", "khỏe", "thúy".
The tone is kept apart from the letters while typing and placed again after every key, so it moves
as the word grows: "hoaf" is "hoà", and with "n" after it "hoàn".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

TELEX = "telex"
VNI = "vni"
OFF = "off"
METHODS = (TELEX, VNI, OFF)

STYLE_NEW = "new"
STYLE_OLD = "old"

#: Tone numbers: 0 none, then sắc, huyền, hỏi, ngã, nặng (the order of the keyboard's accent buttons).
NO_TONE, ACUTE, GRAVE, HOOK, TILDE, DOT = range(6)
TONE_MARKS = {ACUTE: "\u0301", GRAVE: "\u0300", HOOK: "\u0309", TILDE: "\u0303", DOT: "\u0323"}
MARK_TONES = {mark: tone for tone, mark in TONE_MARKS.items()}
TONE_NAMES = {ACUTE: "sắc", GRAVE: "huyền", HOOK: "hỏi", TILDE: "ngã", DOT: "nặng"}

TELEX_TONES = {"s": ACUTE, "f": GRAVE, "r": HOOK, "x": TILDE, "j": DOT}
VNI_TONES = {"1": ACUTE, "2": GRAVE, "3": HOOK, "4": TILDE, "5": DOT}

HAT, BREVE, HORN, STROKE = "hat", "breve", "horn", "stroke"
#: toneless lower-case letter -> (base letter, shape)
SHAPES = {
    "a": ("a", ""), "ă": ("a", BREVE), "â": ("a", HAT),
    "e": ("e", ""), "ê": ("e", HAT),
    "o": ("o", ""), "ô": ("o", HAT), "ơ": ("o", HORN),
    "u": ("u", ""), "ư": ("u", HORN),
    "i": ("i", ""), "y": ("y", ""),
    "d": ("d", ""), "đ": ("d", STROKE),
}
LETTER_OF = {shape: letter for letter, shape in SHAPES.items()}
VOWELS = set("aăâeêioôơuưy")

#: The letters the keyboard's mark buttons give, and what each does.
MARK_LETTERS = {"â": ("a", HAT), "ê": ("e", HAT), "ô": ("o", HAT), "ơ": ("o", HORN), "ư": ("u", HORN),
                "ă": ("a", BREVE), "đ": ("d", STROKE)}

INITIALS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
            "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "q", "r", "s", "t", "v", "x")
FINALS = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t")
#: Vowel groups of Vietnamese syllables (toneless); a mark that would make any other is typed as a letter.
VOWEL_GROUPS = frozenset("""
a ă â e ê i o ô ơ u ư y
ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy ưa ưi ưu ươ yê
iêu oai oay oeo uây uôi uya uyê uyu ươi ươu yêu
""".split())


# --- letters ----------------------------------------------------------------------------------------


def split_tone(char: str) -> tuple[str, int]:
    """A letter without its tone, and the tone: ``"ễ"`` -> ``("ê", TILDE)``."""
    tone = NO_TONE
    kept = []
    for part in unicodedata.normalize("NFD", char):
        if part in MARK_TONES:
            tone = MARK_TONES[part]
        else:
            kept.append(part)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def with_tone(char: str, tone: int) -> str:
    if tone == NO_TONE:
        return char
    return unicodedata.normalize("NFC", char + TONE_MARKS[tone])


def reshape(char: str, shape: str) -> str:
    """``char`` (toneless) with ``shape`` instead of its own, keeping its case."""
    base, _old = SHAPES[char.lower()]
    letter = LETTER_OF[(base, shape)]
    return letter.upper() if char.isupper() else letter


def shape_of(char: str) -> tuple[str, str]:
    """(base letter, shape) of a toneless letter; a consonant is its own base without shape."""
    return SHAPES.get(char.lower(), (char.lower(), ""))


# --- one word ---------------------------------------------------------------------------------------


@dataclass
class Word:
    """The last word being typed: its letters without tone, and the tone it carries."""

    letters: list[str]
    tone: int = NO_TONE
    #: Where the tone sits now (used when the word no longer reads as one syllable).
    at: int = -1

    @classmethod
    def of(cls, text: str) -> "Word":
        letters, tone, at = [], NO_TONE, -1
        for index, char in enumerate(text):
            bare, mark = split_tone(char)
            letters.append(bare)
            if mark != NO_TONE:
                tone, at = mark, index
        return cls(letters, tone, at)

    def parts(self) -> tuple[int, int] | None:
        """(start, end) of the vowel group when the word reads as one syllable, else ``None``."""
        lower = "".join(self.letters).lower()
        start = 0
        for initial in INITIALS:
            if lower.startswith(initial):
                rest = lower[len(initial):]
                if initial in ("gi", "qu") and not (rest and rest[0] in VOWELS):
                    continue  # "gì", "gin": the i is the vowel
                start = len(initial)
                break
        end = start
        while end < len(lower) and lower[end] in VOWELS:
            end += 1
        if end == start or lower[end:] not in FINALS:
            return None
        return start, end

    def vowels(self) -> str:
        found = self.parts()
        return "" if found is None else "".join(self.letters[found[0]:found[1]]).lower()

    def tone_place(self, style: str = STYLE_NEW) -> int | None:
        found = self.parts()
        if found is None:
            return None
        start, end = found
        group = "".join(self.letters[start:end]).lower()
        shaped = [i for i, c in enumerate(group) if c in "ăâêôơư"]
        if shaped:
            return start + shaped[-1]
        if len(group) == 1:
            return start
        if end < len(self.letters):
            return end - 1
        if len(group) >= 3:
            return start + 1
        if style == STYLE_NEW and group in ("oa", "oe", "uy"):
            return start + 1
        return start

    def render(self, style: str = STYLE_NEW) -> str:
        place = self.tone_place(style)
        if place is None:
            place = self.at if 0 <= self.at < len(self.letters) else None
        out = list(self.letters)
        if self.tone != NO_TONE and place is not None:
            out[place] = with_tone(out[place], self.tone)
        return "".join(out)

    def group_ok(self) -> bool:
        return self.parts() is not None and self.vowels() in VOWEL_GROUPS

    def copy(self) -> "Word":
        return Word(list(self.letters), self.tone, self.at)


def split_last_word(text: str) -> tuple[str, str]:
    """(everything before the last word, the last word): the word is the trailing run of letters."""
    end = len(text)
    start = end
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return text[:start], text[start:]


def _in_last_word(text: str, change, style: str) -> str | None:
    head, word_text = split_last_word(text)
    if not word_text:
        return None
    word = Word.of(word_text)
    changed = change(word)
    if changed is None:
        return None
    return head + changed.render(style)


# --- marks ------------------------------------------------------------------------------------------


def _set_tone(word: Word, tone: int) -> Word | None:
    """The word with ``tone``; ``None`` when it cannot carry one."""
    if word.tone_place() is None:
        return None
    word = word.copy()
    word.tone = tone
    return word


def _shape_targets(word: Word, base: str) -> list[int]:
    if base == "d":
        return [0] if word.letters and word.letters[0].lower() in ("d", "đ") else []
    found = word.parts()
    if found is None:
        return []
    start, end = found
    return [i for i in range(start, end) if shape_of(word.letters[i])[0] == base]


def _reshape_at(word: Word, places: tuple[int, ...], shape: str) -> tuple[Word | None, bool]:
    """The letters at ``places`` given ``shape`` (taken off when they all have it already)."""
    word = word.copy()
    if all(shape_of(word.letters[i])[1] == shape for i in places):
        for i in places:
            word.letters[i] = reshape(word.letters[i], "")
        return word, True
    for i in places:
        word.letters[i] = reshape(word.letters[i], shape)
    if places != (0,) or shape != STROKE:
        if not word.group_ok():
            return None, False
    return word, False


def _set_shape(word: Word, base: str, shape: str) -> tuple[Word | None, bool]:
    """The last ``base`` letter of the word shaped: (word, the mark was taken off) or (None, False)."""
    targets = _shape_targets(word, base)
    if not targets:
        return None, False
    if base == "u" and shape == HORN:
        for at in reversed(targets):  # "uo" + horn gives "ươ" together
            following = word.letters[at + 1] if at + 1 < len(word.letters) else ""
            if following and shape_of(following)[0] == "o" and shape_of(following)[1] in ("", HORN):
                return _reshape_at(word, (at, at + 1), HORN)
    return _reshape_at(word, (targets[-1],), shape)


def _horn(word: Word) -> tuple[Word | None, bool]:
    """Telex ``w`` / VNI ``7``: "uo" -> "ươ", else the last u or o gets its horn."""
    found = word.parts()
    if found is None:
        return None, False
    start, end = found
    bases = [shape_of(c)[0] for c in word.letters[start:end]]
    if "u" in bases and any(a == "u" and b == "o" for a, b in zip(bases, bases[1:])):
        return _set_shape(word, "u", HORN)
    for base in reversed(bases):
        if base in ("u", "o"):
            return _set_shape(word, base, HORN)
    return None, False


def apply_tone(text: str, tone: int, style: str = STYLE_NEW) -> str:
    """The accent buttons: ``tone`` on the last word (pressed again, it comes off); unchanged when there is no vowel."""
    def change(word: Word) -> Word | None:
        return _set_tone(word, NO_TONE if word.tone == tone else tone)

    changed = _in_last_word(text, change, style)
    return text if changed is None else changed


def apply_mark(text: str, letter: str, style: str = STYLE_NEW) -> str:
    """The mark buttons (â ê ô ơ ư ă đ): shape the last word's letter, or type the letter when none fits."""
    base, shape = MARK_LETTERS[letter]
    changed = _in_last_word(text, lambda w: _set_shape(w, base, shape)[0], style)
    if changed is not None:
        return changed
    _head, word_text = split_last_word(text)
    capital = len(word_text) > 1 and word_text.isupper()
    return add_letter(text, letter.upper() if capital else letter, style)


def add_letter(text: str, char: str, style: str = STYLE_NEW) -> str:
    """``char`` typed at the end; the tone of the word moves when the word still reads as a syllable."""
    if not char.isalpha():
        return text + char
    head, word_text = split_last_word(text)
    word = Word.of(word_text)
    grown = word.copy()
    grown.letters.append(char)
    if word.tone != NO_TONE and grown.tone_place(style) is None:
        return text + char  # the tone stays where it is
    return head + grown.render(style)


def backspace(text: str, style: str = STYLE_NEW) -> str:
    """The last character taken off; the word's tone stays on it and moves back into place."""
    if not text:
        return text
    head, word_text = split_last_word(text)
    if not word_text:
        return text[:-1]
    word = Word.of(word_text)
    if word.at == len(word.letters) - 1:
        return head + "".join(word.letters[:-1])  # the toned letter itself goes
    word.letters.pop()
    if word.tone != NO_TONE and word.tone_place(style) is None:
        return head + word_text[:-1]
    return head + word.render(style)


# --- keys -------------------------------------------------------------------------------------------


def type_key(text: str, key: str, method: str = TELEX, style: str = STYLE_NEW) -> str:
    """``text`` after the citizen types ``key`` (one character) with ``method`` (Telex, VNI or off)."""
    if len(key) != 1:
        raise ValueError(f"one key at a time, got {key!r}")
    if method == OFF:
        return add_letter(text, key, style) if key.isalpha() else text + key
    if method not in METHODS:
        raise ValueError(f"unknown typing method {method!r}")
    changed = _telex(text, key, style) if method == TELEX else _vni(text, key, style)
    if changed is not None:
        return changed
    return add_letter(text, key, style) if key.isalpha() else text + key


def type_keys(keys: str, method: str = TELEX, text: str = "", style: str = STYLE_NEW) -> str:
    """Every key of ``keys`` typed in turn (for tests and the operator's CLI)."""
    for key in keys:
        text = type_key(text, key, method, style)
    return text


def _mark_or_undo(text: str, key: str, mark, style: str) -> str | None:
    """Apply ``mark(word) -> (word, removed)``; a removed mark types the key too."""
    head, word_text = split_last_word(text)
    if not word_text:
        return None
    word, removed = mark(Word.of(word_text))
    if word is None:
        return None
    rendered = head + word.render(style)
    return add_letter(rendered, key, style) if removed else rendered


def _tone_key(text: str, key: str, tone: int, style: str) -> str | None:
    head, word_text = split_last_word(text)
    if not word_text:
        return None
    word = Word.of(word_text)
    if tone == NO_TONE:
        if word.tone == NO_TONE:
            return None
        word.tone = NO_TONE
        return head + word.render(style)
    if word.tone_place(style) is None:
        return None
    if word.tone == tone:
        word.tone = NO_TONE
        return add_letter(head + word.render(style), key, style)
    word.tone = tone
    return head + word.render(style)


def _telex(text: str, key: str, style: str) -> str | None:
    lower = key.lower()
    if lower in TELEX_TONES:
        return _tone_key(text, key, TELEX_TONES[lower], style)
    if lower == "z":
        return _tone_key(text, key, NO_TONE, style)
    if lower in "aeo":
        return _mark_or_undo(text, key, lambda w: _set_shape(w, lower, HAT), style)
    if lower == "d":
        return _mark_or_undo(text, key, lambda w: _set_shape(w, "d", STROKE), style)
    if lower == "w":
        changed = _mark_or_undo(text, key, _breve_or_horn, style)
        if changed is not None:
            return changed
        letter = "Ư" if key.isupper() else "ư"
        grown = add_letter(text, letter, style)
        _h, new_word = split_last_word(grown)
        return grown if Word.of(new_word).parts() is not None else None
    return None


def _breve_or_horn(word: Word) -> tuple[Word | None, bool]:
    """Telex ``w``: "aw" -> "ă", "ow" -> "ơ", "uw" -> "ư", "uow" -> "ươ", on the last of them."""
    found = word.parts()
    if found is None:
        return None, False
    start, end = found
    bases = [shape_of(c)[0] for c in word.letters]
    for i in range(end - 1, start - 1, -1):
        if bases[i] == "a":
            return _set_shape(word, "a", BREVE)
        if bases[i] in ("u", "o"):
            return _horn(word)
    return None, False


def _vni(text: str, key: str, style: str) -> str | None:
    if key in VNI_TONES:
        return _tone_key(text, key, VNI_TONES[key], style)
    if key == "0":
        return _tone_key(text, key, NO_TONE, style)
    if key == "6":
        return _mark_or_undo(text, key, _hat, style)
    if key == "7":
        return _mark_or_undo(text, key, _horn, style)
    if key == "8":
        return _mark_or_undo(text, key, lambda w: _set_shape(w, "a", BREVE), style)
    if key == "9":
        return _mark_or_undo(text, key, lambda w: _set_shape(w, "d", STROKE), style)
    return None


def _hat(word: Word) -> tuple[Word | None, bool]:
    """VNI ``6``: the hat on the last a, e or o of the vowel group."""
    found = word.parts()
    if found is None:
        return None, False
    start, end = found
    for i in range(end - 1, start - 1, -1):
        base = shape_of(word.letters[i])[0]
        if base in ("a", "e", "o"):
            return _set_shape(word, base, HAT)
    return None, False
