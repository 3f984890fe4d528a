"""The kiosk's fonts: a Vietnamese-capable sans for text and the Material Icons font for pictograms.

Both come from Debian packages that ``scripts/bootstrap.sh`` installs (fonts-dejavu-core and
fonts-material-design-icons-iconfont). Icons are named as in Material Design ("home",
"confirmation_number"); the name-to-codepoint map is read from the same package, so a name that the
installed font does not have fails at start-up instead of drawing an empty box.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from screens.theme import TEXT_FONT, TEXT_FONT_BOLD

ICON_FONT = "/usr/share/fonts/truetype/material-design-icons-iconfont/MaterialIcons-Regular.ttf"
ICON_CODEPOINTS = "/usr/share/fonts-material-design-icons-iconfont/scss/_variables.scss"
ICON_PACKAGE = "fonts-material-design-icons-iconfont"

#: Kivy font names, used in the .kv files through ``app.theme``.
TEXT = "KioskSans"
TEXT_BOLD = "KioskSansBold"
ICONS = "KioskIcons"

_ENTRY = re.compile(r'^\s*"([a-z0-9_]+)":\s*([0-9a-f]{4,5}),?\s*$')


class FontMissing(RuntimeError):
    """A font file the screens need is not installed."""


def _require(path: str, package: str) -> str:
    if not Path(path).is_file():
        raise FontMissing(f"font file {path} is missing: install Debian's {package}")
    return path


@lru_cache(maxsize=1)
def codepoints() -> dict[str, str]:
    """Icon name -> the character that draws it in the icon font."""
    path = Path(_require(ICON_CODEPOINTS, ICON_PACKAGE))
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ENTRY.match(line)
        if match:
            table[match.group(1)] = chr(int(match.group(2), 16))
    if not table:
        raise FontMissing(f"no icon codepoints found in {path}: reinstall Debian's {ICON_PACKAGE}")
    return table


def icon(name: str) -> str:
    """The icon-font character for ``name``; an unknown name is a programming error."""
    try:
        return codepoints()[name]
    except KeyError:
        raise KeyError(f"no icon named {name!r} in {ICON_PACKAGE}") from None


def register() -> None:
    """Register the text and icon fonts with Kivy under ``TEXT``, ``TEXT_BOLD`` and ``ICONS``."""
    from kivy.core.text import LabelBase

    LabelBase.register(TEXT, _require(TEXT_FONT, "fonts-dejavu-core"), fn_bold=_require(TEXT_FONT_BOLD, "fonts-dejavu-core"))
    LabelBase.register(TEXT_BOLD, TEXT_FONT_BOLD)
    LabelBase.register(ICONS, _require(ICON_FONT, ICON_PACKAGE))
