"""What the window really draws: Vietnamese text read back by Tesseract, sizes and colours walked."""

from __future__ import annotations

import unicodedata

import pytest
import pytesseract
from kivy.graphics import Color, Rectangle, RoundedRectangle
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from PIL import Image, ImageOps

from kiosk import i18n
from screens import fonts, theme
from screens.widgets import Pressable

pytestmark = pytest.mark.ui


def shot(driver, tmp_path, name="screen.png") -> Image.Image:
    return Image.open(driver.screenshot(tmp_path / name)).convert("RGB")


def crop(image: Image.Image, widget) -> Image.Image:
    x, y = widget.to_window(widget.x, widget.y)
    top = image.height - (y + widget.height)
    return image.crop((int(x), int(top), int(x + widget.width), int(top + widget.height)))


def read(image: Image.Image, dark_background: bool) -> str:
    gray = image.convert("L")
    if dark_background:
        gray = ImageOps.invert(gray)
    gray = ImageOps.expand(gray, border=20, fill=255)
    text = pytesseract.image_to_string(gray, lang="vie", config="--psm 7")
    return unicodedata.normalize("NFC", " ".join(text.split()))


def label_showing(driver, text: str) -> Label:
    for widget in driver.widgets():
        if isinstance(widget, Label) and widget.text == text:
            return widget
    raise AssertionError(f"no label shows {text!r}")


def test_vietnamese_labels_render_with_their_diacritics(driver, tmp_path):
    """Tesseract (vie) reads the tile label and the heading back from the screenshot, accents and all."""
    driver.tap("start")
    image = shot(driver, tmp_path)
    tile_label = label_showing(driver, "Lấy số thứ tự")
    heading = label_showing(driver, "Ông/Bà cần làm gì?")
    assert read(crop(image, tile_label), dark_background=True) == "Lấy số thứ tự"
    assert read(crop(image, heading), dark_background=False) == "Ông/Bà cần làm gì?"


def test_the_screenshot_is_the_full_portrait_window_in_the_theme_colours(driver, tmp_path):
    image = shot(driver, tmp_path)
    assert image.size == (1080, 1920)
    background = tuple(round(c * 255) for c in driver.app.theme.colors.background[:3])
    assert image.getpixel((540, 400)) == background
    bar = tuple(round(c * 255) for c in driver.app.theme.colors.bar[:3])
    assert image.getpixel((5, 1915)) == bar


def test_a_capital_letter_is_drawn_at_least_as_tall_as_the_rule_asks(driver):
    from kivy.core.text import Label as CoreLabel

    t = driver.app.theme
    label = CoreLabel(text="H", font_name=t.font_name, font_size=t.font_small)
    label.refresh()
    texture = label.texture
    alpha = texture.pixels[3::4]
    width, height = texture.size
    inked_rows = [row for row in range(height) if any(alpha[row * width : (row + 1) * width])]
    cap_px = inked_rows[-1] - inked_rows[0] + 1
    assert cap_px / t.px_per_mm >= theme.cap_height_mm() - 1 / t.px_per_mm


def visible_rect(widget):
    """The part of ``widget`` on screen, in window coordinates: clipped by every scroll view it is
    in (what scrolled out of one is not there to touch until scrolled back); ``None`` when none is."""
    x, y = widget.to_window(widget.x, widget.y)
    rect = [x, y, x + widget.width, y + widget.height]
    node = widget.parent
    while node is not None and node is not node.parent:
        if isinstance(node, ScrollView):
            sx, sy = node.to_window(node.x, node.y)
            rect = [max(rect[0], sx), max(rect[1], sy), min(rect[2], sx + node.width), min(rect[3], sy + node.height)]
        node = node.parent
    return tuple(rect) if rect[0] < rect[2] and rect[1] < rect[3] else None


def gap_between(a, b) -> float:
    dx = max(b[0] - a[2], a[0] - b[2])
    dy = max(b[1] - a[3], a[1] - b[3])
    return max(dx, dy)


def driver_window(app):
    return app.root.get_root_window()


def background_of(widget, app) -> tuple:
    """The colour drawn behind ``widget``: its button's fill, a bar, the notice, or the screen."""
    t, ids = app.theme, app.root.ids
    node = widget.parent
    while node is not None and node is not driver_window(app):
        if isinstance(node, Pressable):
            return t.fill(node.style, node.state == "down")
        if node.proxy_ref in (ids.top_bar, ids.bottom_bar):
            return t.colors.bar
        if node.proxy_ref is ids.notice:
            return t.colors.error if app.notice_kind == "error" else t.colors.notice
        painted = fill_of(node)
        if painted is not None:
            return painted
        node = node.parent
    return t.colors.background


def fill_of(node) -> tuple | None:
    """The opaque colour a widget paints under its children (a band, a card), if it paints one."""
    colour = None
    for instruction in node.canvas.before.children:
        if isinstance(instruction, Color):
            colour = tuple(instruction.rgba)
        elif isinstance(instruction, (Rectangle, RoundedRectangle)) and colour is not None and colour[3] > 0.99:
            return colour
    return None


def shown(widget) -> bool:
    """Whether a person can see ``widget``: neither it nor any parent is fully transparent."""
    node = widget
    while node is not None and node is not node.parent:
        if getattr(node, "opacity", 1) == 0:
            return False
        node = node.parent
    return True


def problems_on_screen(driver) -> list[str]:
    app, t = driver.app, driver.app.theme
    where = f"{app.current}/{app.language}/{'hc' if t.high_contrast else 'std'}/{'large' if t.large_text else 'normal'}"
    found = []
    targets = [w for w in driver.widgets() if isinstance(w, Pressable) and not w.disabled and shown(w)]
    for w in targets:
        if min(w.width, w.height) < t.mm(theme.MIN_TARGET_MM) - 0.5:
            found.append(f"{where}: {w.tag} is {w.width:.0f}x{w.height:.0f} px, under 15 mm")
    rects = [(w.tag, r) for w in targets if (r := visible_rect(w)) is not None]
    for i, (tag_a, a) in enumerate(rects):
        for tag_b, b in rects[i + 1 :]:
            if gap_between(a, b) < t.mm(theme.MIN_GAP_MM) - 0.5:
                found.append(f"{where}: {tag_a} and {tag_b} are {gap_between(a, b):.0f} px apart, under 3 mm")
    for w in driver.widgets():
        if not isinstance(w, Label) or not w.text or not shown(w):
            continue
        ratio = theme.contrast_ratio(w.color, background_of(w, app))
        if ratio < theme.MIN_CONTRAST:
            found.append(f"{where}: {w.text!r} has a contrast of {ratio:.1f}:1 with what is behind it")
        if w.font_name == fonts.ICONS:
            continue
        if w.font_size < t.font_small - 0.01:
            found.append(f"{where}: {w.text!r} at {w.font_size} px is under the smallest text size")
        if w.text_size[0] and w.texture_size[0] > w.width + 1:
            found.append(f"{where}: {w.text!r} overflows its {w.width:.0f} px")
    return found


def visit_every_screen(driver):
    """The way in (attract → home → a tile), then every registered screen as it first opens."""
    driver.tap("start")
    yield
    driver.tap("tile:ticket")
    yield
    for name in driver.app.registry.names():
        driver.app.go(name)
        driver.frames(1)
        yield
    driver.app.go("home")
    driver.app.end_visit()
    driver.frames(1)
    yield


@pytest.mark.parametrize("mode", ["standard", "high_contrast", "large_text"])
def test_accessibility_walk_over_every_screen_in_both_languages(driver, mode):
    """Targets ≥ 15 mm and ≥ 3 mm apart; text at least the smallest size, ≥ 7:1 against its background."""
    app = driver.app
    app.theme = theme.for_config(app.kiosk.config.kiosk, **({mode: True} if mode != "standard" else {}))
    i18n.missing.clear()
    found = []
    for language in app.kiosk.config.kiosk.languages:
        app.end_visit()
        app.set_language(language, speak=False)
        driver.frames(2)
        found += problems_on_screen(driver)  # the attract screen
        for _ in visit_every_screen(driver):
            driver.frames(1)
            if app.current != "attract":
                app.set_language(language, speak=False)
                driver.frames(1)
            found += problems_on_screen(driver)
    assert found == []
    assert not {(lang, msg) for lang, msg in i18n.missing if lang in ("vi", "en")}
