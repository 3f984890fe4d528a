"""Translations: gettext catalogs in ``assets/locales/<lang>/LC_MESSAGES/kiosk.po``.

Message ids are English source strings. Mark them where they are written with ``N_`` (no lookup) and
translate them where they are shown with ``_`` (current visit language) or ``translate`` (a given
language). Catalogs are read from the ``.po`` files directly, so adding a language is adding a
catalog; nothing is compiled. A message missing from the catalog falls back to the English source and
is remembered in ``missing`` so tests can fail on it.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "assets" / "locales"
DOMAIN = "kiosk"
SOURCE_LANGUAGE = "en"

_state = threading.local()
_default_language = "vi"
#: (language, msgid) pairs asked for but absent from that language's catalog.
missing: set[tuple[str, str]] = set()


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now."""
    return message


@lru_cache(maxsize=None)
def catalog(language: str) -> dict[str, str]:
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        po = read_po(fh, locale=language)
    return {m.id: m.string for m in po if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def available_languages() -> list[str]:
    return sorted(p.name for p in LOCALES_DIR.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").exists())


def set_default_language(language: str) -> None:
    global _default_language
    _default_language = language


def set_language(language: str) -> None:
    """The language of the current visit on this thread (the UI thread in the app)."""
    _state.language = language


def current_language() -> str:
    return getattr(_state, "language", _default_language)


def translate(message: str, language: str | None = None, **values: object) -> str:
    language = language or current_language()
    text = catalog(language).get(message)
    if text is None:
        if language != SOURCE_LANGUAGE:
            missing.add((language, message))
        text = message
    return text.format(**values) if values else text


def _(message: str, **values: object) -> str:
    return translate(message, None, **values)
