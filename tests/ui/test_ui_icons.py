"""Every icon the screens name exists in the installed icon font and draws a real glyph."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from screens import fonts
from screens.home import TASKS

SCREENS_DIR = Path(fonts.__file__).resolve().parent


def icon_names() -> set[str]:
    names = {task.icon for task in TASKS}
    for source in list(SCREENS_DIR.glob("*.kv")) + list(SCREENS_DIR.glob("*.py")):
        text = source.read_text(encoding="utf-8")
        names |= set(re.findall(r'\bicon[:=]\s*"([a-z0-9_]+)"', text))
        names |= set(re.findall(r'icon="([a-z0-9_]+)"', text))
    names |= {"error", "check_circle", "info"}  # the notice banner's icons (app.kv)
    return names


def draw(char: str) -> bytes:
    font = ImageFont.truetype(fonts.ICON_FONT, 64)
    image = Image.new("L", (96, 96), 0)
    ImageDraw.Draw(image).text((16, 16), char, font=font, fill=255)
    return image.tobytes()


def test_the_codepoint_table_is_read_from_the_font_package():
    table = fonts.codepoints()
    assert len(table) > 1000
    assert table["home"] == "\ue88a"
    with pytest.raises(KeyError, match="no icon named"):
        fonts.icon("no_such_icon_name")


def test_every_icon_used_on_screen_has_a_glyph_in_the_font():
    missing_glyph = draw("\U000f0000")  # a private-use codepoint the font does not have
    names = icon_names()
    assert {"home", "arrow_back", "translate", "support_agent"} <= names
    for name in sorted(names):
        picture = draw(fonts.icon(name))
        assert picture != missing_glyph, f"icon {name!r} draws the missing-glyph box"
        assert any(picture), f"icon {name!r} draws nothing"


def test_every_home_tile_has_its_own_icon():
    icons = [task.icon for task in TASKS]
    assert len(TASKS) >= 5 and len(set(icons)) == len(icons)
