"""Colours and sizes of the kiosk screens, from the measurable rules in ACCESSIBILITY.md.

Sizes are physical: millimetres on the configured screen (``kiosk.px_per_mm``), turned into pixels
here so every screen gets the same touch targets on a 21.5-inch portrait panel or a 15-inch one.

- Touch targets at least 15 mm, with at least 3 mm between them.
- Text: a capital letter subtends at least 0.7° at the viewing distance (EN 301 549 5.1.4; 6.1 mm at
  500 mm) and is never under 4.8 mm (ADA 707.7.2). Font sizes come from the font's own capital
  height, measured from the font file, so the rule holds for whatever sans font is installed.
- Contrast at least 7:1 between every text colour and the background it is drawn on (WCAG 1.4.6),
  in the standard and in the high-contrast palette. Nothing is told by colour alone: every choice
  carries an icon and a word.

This module does not import Kivy; colours are RGBA tuples of floats that Kivy takes as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import lru_cache

from PIL import ImageFont

VIEWING_DISTANCE_MM = 500.0
VIEWING_ANGLE_DEG = 0.7
ADA_CAP_MM = 4.8
MIN_TARGET_MM = 15.0
MIN_GAP_MM = 3.0
MIN_CONTRAST = 7.0
LARGE_TEXT_SCALE = 1.4

TEXT_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TEXT_FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def cap_height_mm(distance_mm: float = VIEWING_DISTANCE_MM, angle_deg: float = VIEWING_ANGLE_DEG) -> float:
    """Height of a capital letter that subtends ``angle_deg`` at ``distance_mm``."""
    return max(ADA_CAP_MM, 2 * distance_mm * math.tan(math.radians(angle_deg) / 2))


@lru_cache(maxsize=None)
def cap_ratio(font_path: str) -> float:
    """Capital-H height as a fraction of the font size, measured from the font file."""
    font = ImageFont.truetype(font_path, 1000)
    _left, top, _right, bottom = font.getbbox("H")
    return (bottom - top) / 1000


def hex_color(value: str) -> tuple[float, float, float, float]:
    value = value.lstrip("#")
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)) + (1.0,)


def relative_luminance(color: tuple[float, ...]) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in color[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """WCAG contrast ratio between two opaque colours, from 1.0 to 21.0."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class Palette:
    background: tuple
    text: tuple
    bar: tuple
    bar_text: tuple
    tile: tuple
    tile_pressed: tuple
    tile_text: tuple
    button: tuple
    button_pressed: tuple
    button_text: tuple
    border: tuple
    alert: tuple
    alert_pressed: tuple
    alert_text: tuple
    notice: tuple
    notice_text: tuple
    error: tuple
    error_text: tuple


def _palette(**colors: str) -> Palette:
    return Palette(**{name: hex_color(value) for name, value in colors.items()})


STANDARD = _palette(
    background="#F5F7FA",
    text="#0D1B2A",
    bar="#0D1B2A",
    bar_text="#FFFFFF",
    tile="#0A3D7A",
    tile_pressed="#062A55",
    tile_text="#FFFFFF",
    button="#FFFFFF",
    button_pressed="#DCE3EC",
    button_text="#0D1B2A",
    border="#0D1B2A",
    alert="#8E1B1B",
    alert_pressed="#5E1212",
    alert_text="#FFFFFF",
    notice="#0F4D2C",
    notice_text="#FFFFFF",
    error="#8E1B1B",
    error_text="#FFFFFF",
)

HIGH_CONTRAST = _palette(
    background="#000000",
    text="#FFFFFF",
    bar="#000000",
    bar_text="#FFFF00",
    tile="#000000",
    tile_pressed="#333300",
    tile_text="#FFFF00",
    button="#000000",
    button_pressed="#333300",
    button_text="#FFFFFF",
    border="#FFFF00",
    alert="#FFFF00",
    alert_pressed="#CCCC00",
    alert_text="#000000",
    notice="#FFFFFF",
    notice_text="#000000",
    error="#FFFF00",
    error_text="#000000",
)

#: Every (text colour, background) pair the screens draw text with.
TEXT_ON = (
    ("text", "background"),
    ("bar_text", "bar"),
    ("tile_text", "tile"),
    ("tile_text", "tile_pressed"),
    ("button_text", "button"),
    ("button_text", "button_pressed"),
    ("alert_text", "alert"),
    ("alert_text", "alert_pressed"),
    ("notice_text", "notice"),
    ("error_text", "error"),
)

#: Pressable style -> (fill, pressed fill, text colour), as Palette field names.
STYLES = {
    "tile": ("tile", "tile_pressed", "tile_text"),
    "button": ("button", "button_pressed", "button_text"),
    "alert": ("alert", "alert_pressed", "alert_text"),
}

#: Capital-letter heights of each text role, in mm, before the large-text scale.
TEXT_CAP_MM = {
    "small": cap_height_mm(),  # 0.7° at 500 mm: the floor for every text on screen
    "body": 7.0,
    "label": cap_height_mm(700.0),  # tile labels read from 700 mm
    "title": 10.0,
    "display": 15.0,
}


@dataclass(frozen=True)
class Theme:
    """What the screens draw with; ``app.theme`` in the .kv files."""

    px_per_mm: float
    colors: Palette
    high_contrast: bool
    large_text: bool
    font_name: str
    font_bold: str
    # text sizes (font size in px)
    font_small: float
    font_body: float
    font_label: float
    font_title: float
    font_display: float
    # layout sizes (px)
    target: float
    gap: float
    padding: float
    bar_height: float
    header_height: float
    tile_height: float
    button_height: float
    icon_small: float
    icon_large: float
    border_width: float
    radius: float

    @classmethod
    def build(
        cls,
        px_per_mm: float,
        *,
        high_contrast: bool = False,
        large_text: bool = False,
        font_path: str = TEXT_FONT,
    ) -> "Theme":
        scale = LARGE_TEXT_SCALE if large_text else 1.0
        ratio = cap_ratio(font_path)

        def font(role: str) -> float:
            return math.ceil(TEXT_CAP_MM[role] * scale * px_per_mm / ratio)

        def mm(value: float) -> float:
            return round(value * px_per_mm)

        small = font("small")
        return cls(
            px_per_mm=px_per_mm,
            colors=HIGH_CONTRAST if high_contrast else STANDARD,
            high_contrast=high_contrast,
            large_text=large_text,
            font_name="KioskSans",
            font_bold="KioskSansBold",
            font_small=small,
            font_body=font("body"),
            font_label=font("label"),
            font_title=font("title"),
            font_display=font("display"),
            target=mm(MIN_TARGET_MM),
            gap=mm(4.0),
            padding=mm(6.0),
            # a bar button holds an icon over up to two lines of small text
            bar_height=max(mm(30.0), round(mm(4.0) + mm(12.0) + mm(1.0) + 2.5 * small)),
            header_height=max(mm(22.0), round(mm(5.0) + 1.25 * (small + font("title")))),
            tile_height=mm(62.0) * (1.15 if large_text else 1.0),
            button_height=max(mm(22.0), round(mm(8.0) + 1.3 * font("body"))),
            icon_small=mm(12.0),
            icon_large=mm(24.0),
            border_width=max(2.0, mm(0.8)) if high_contrast else max(1.0, mm(0.5)),
            radius=mm(3.0),
        )

    def mm(self, value: float) -> float:
        """``value`` millimetres on this screen, in pixels."""
        return value * self.px_per_mm

    def fill(self, style: str, pressed: bool = False) -> tuple:
        """Background of a pressable of ``style`` ("tile", "button" or "alert")."""
        name = STYLES[style][1 if pressed else 0]
        return getattr(self.colors, name)

    def ink(self, style: str) -> tuple:
        """Text and icon colour on a pressable of ``style``."""
        return getattr(self.colors, STYLES[style][2])

    def edge(self, style: str) -> tuple:
        """Outline of a pressable: visible against the screen even where the fill is not."""
        return self.colors.border if self.high_contrast or style == "button" else self.fill(style)

    def cap_mm(self, font_size_px: float, font_path: str = TEXT_FONT) -> float:
        """The capital-letter height in mm of text drawn at ``font_size_px``."""
        return font_size_px * cap_ratio(font_path) / self.px_per_mm

    def text_sizes(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name.startswith("font_") and f.name not in ("font_name", "font_bold")}


def for_config(kiosk_config, *, high_contrast: bool | None = None, large_text: bool | None = None) -> Theme:
    """The theme for a ``KioskConfig``, optionally overriding its high-contrast and large-text modes."""
    return Theme.build(
        kiosk_config.px_per_mm,
        high_contrast=kiosk_config.high_contrast if high_contrast is None else high_contrast,
        large_text=kiosk_config.large_text if large_text is None else large_text,
    )
