"""The theme turns ACCESSIBILITY.md's measurable rules into colours and pixel sizes."""

from __future__ import annotations

import pytest

from screens import theme
from screens.theme import Theme

# (width px, height px, diagonal in): the default 21.5" portrait panel, a small 15.6" one, a 4K 32".
SCREENS = [(1080, 1920, 21.5), (768, 1366, 15.6), (2160, 3840, 32.0)]


def px_per_mm(width, height, diagonal_in):
    return (width**2 + height**2) ** 0.5 / (diagonal_in * 25.4)


@pytest.mark.parametrize("palette", [theme.STANDARD, theme.HIGH_CONTRAST], ids=["standard", "high-contrast"])
def test_every_text_colour_has_at_least_7_to_1_contrast_with_its_background(palette):
    for text, background in theme.TEXT_ON:
        ratio = theme.contrast_ratio(getattr(palette, text), getattr(palette, background))
        assert ratio >= theme.MIN_CONTRAST, f"{text} on {background}: {ratio:.2f}:1"


def test_contrast_ratio_matches_the_wcag_reference_values():
    black, white = theme.hex_color("#000000"), theme.hex_color("#FFFFFF")
    assert theme.contrast_ratio(black, white) == pytest.approx(21.0)
    assert theme.contrast_ratio(white, white) == pytest.approx(1.0)
    # WCAG's own example: #767676 on white is the lightest grey that passes 4.5:1.
    assert theme.contrast_ratio(theme.hex_color("#767676"), white) == pytest.approx(4.54, abs=0.01)


def test_capital_height_follows_the_viewing_angle_rule():
    assert theme.cap_height_mm(500) == pytest.approx(6.1, abs=0.05)
    assert theme.cap_height_mm(700) == pytest.approx(8.55, abs=0.05)
    assert theme.cap_height_mm(100) == theme.ADA_CAP_MM  # never below the ADA floor


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}@{s[2]}in")
@pytest.mark.parametrize("large_text", [False, True], ids=["normal", "large-text"])
def test_sizes_meet_the_rules_in_millimetres_on_every_screen(screen, large_text):
    density = px_per_mm(*screen)
    t = Theme.build(density, large_text=large_text)
    assert t.target / density >= theme.MIN_TARGET_MM - 0.2
    assert t.gap / density >= theme.MIN_GAP_MM
    for name in ("bar_height", "tile_height", "button_height"):
        assert getattr(t, name) / density >= theme.MIN_TARGET_MM, name
    for name, size in t.text_sizes().items():
        assert t.cap_mm(size) >= theme.cap_height_mm() - 0.01, f"{name}: capital H {t.cap_mm(size):.2f} mm"


def test_large_text_mode_makes_every_text_larger_and_high_contrast_changes_the_palette():
    normal = Theme.build(4.0)
    large = Theme.build(4.0, large_text=True)
    assert all(large.text_sizes()[k] > normal.text_sizes()[k] for k in normal.text_sizes())
    assert large.cap_mm(large.font_small) >= theme.cap_height_mm(700) - 0.01  # readable from 700 mm
    contrast = Theme.build(4.0, high_contrast=True)
    assert contrast.colors == theme.HIGH_CONTRAST and normal.colors == theme.STANDARD


def test_every_pressable_style_draws_readable_text_pressed_or_not():
    for t in (Theme.build(4.0), Theme.build(4.0, high_contrast=True)):
        for style in theme.STYLES:
            for pressed in (False, True):
                ratio = theme.contrast_ratio(t.ink(style), t.fill(style, pressed))
                assert ratio >= theme.MIN_CONTRAST, (style, pressed, ratio)
