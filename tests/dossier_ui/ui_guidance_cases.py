"""The procedures screens and the guidance clips, with real touches in a real offscreen window.

These run in a process of their own (``test_guidance_ui.py`` starts it): Kivy opens one window per
process. The kiosk is built by ``wiring.build`` against the central service on loopback, with every
device on its simulator; the procedure list is the kiosk's bundled catalog. Broken clips are made in a
temporary copy of the assets. Run them alone with ``pytest tests/dossier_ui/ui_guidance_cases.py``.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from central import embedded
from kiosk import config as kiosk_config
from kiosk import i18n
from kiosk.dossiers.catalog import ASSETS_DIR, Catalog

pytestmark = pytest.mark.ui

#: The longest wait for work on other threads or for a short clip to play through.
WAIT_S = 20.0
#: An invented citizen's chip ID card, as its QR code reads.
CARD = "001190067890||Nguyễn Thị Lan Anh|05061990|Nữ|Số 12 ngõ 4, xã Hợp Thịnh, tỉnh Bắc Ninh|01032021"


@dataclass
class Rig:
    driver: object
    kiosk: object

    @property
    def app(self):
        return self.driver.app

    @property
    def speaker(self):
        return self.kiosk.devices.speaker

    def screen(self, name: str):
        return self.app.registry.get(name)


@pytest.fixture(scope="session")
def rig(tmp_path_factory):
    base = tmp_path_factory.mktemp("guidance-ui")
    central = embedded.start(base / "central")
    config = kiosk_config.from_dict(
        {
            "kiosk": {"data_dir": str(base / "kiosk")},
            "central": {"url": central.url, "token": central.kiosk_token, "embedded": False, "connect_timeout_s": 1.0},
        },
        "<guidance ui tests>",
    )
    from screens import window

    window.configure(config.kiosk, headless=True, quiet=True)

    from kiosk.wiring import build
    from screens.app import KioskApp
    from screens.driver import ScreenDriver

    kiosk = build(config)
    assert kiosk.catalog is not None, "wiring.build gives every kiosk its procedure catalog"
    driver = ScreenDriver(KioskApp(kiosk)).start()
    yield Rig(driver, kiosk)
    driver.stop()
    kiosk.close()
    central.stop()


@pytest.fixture
def ui(rig):
    """A fresh visit on the home screen, in Vietnamese, with a silent speaker record."""
    rig.app.end_visit()
    rig.speaker.clear()
    i18n.missing.clear()
    rig.driver.frames(1)
    rig.driver.tap("start")
    assert rig.app.current == "home"
    return rig


@pytest.fixture
def assets(tmp_path, rig):
    """A copy of the catalog with its own guides folder; the kiosk reads it until the test ends."""
    folder = tmp_path / "assets"
    (folder / "catalog").mkdir(parents=True)
    shutil.copy(ASSETS_DIR / "catalog" / "procedures.json", folder / "catalog" / "procedures.json")
    (folder / "guides").mkdir()
    kept = rig.kiosk.catalog
    yield folder
    rig.kiosk.catalog = kept


# --- helpers --------------------------------------------------------------------------------------


def not_blank(path: Path) -> None:
    image = Image.open(path).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 20, f"{path} looks blank ({len(colours)} colours)"
    background = max(colours)[0] / (image.width * image.height)
    assert background < 0.9, f"{path} is {background:.0%} one colour"


def touch(rig: Rig, target, until) -> None:
    """Touch ``target`` and run frames until ``until()`` holds: a list in a scroll view passes a short touch on
    to what is under the finger a moment after the finger lifts (it first waits to see whether it is a swipe)."""
    rig.driver.tap(target)
    assert rig.driver.wait_until(until, WAIT_S), f"touching {target} did not do what it should"


def texts(widget) -> list[str]:
    return [w.text for w in widget.walk(restrict=True) if getattr(w, "text", "") and hasattr(w, "texture_size")]


def into_view(rig: Rig, widget) -> None:
    """Scroll the procedure page so ``widget`` is on screen (a citizen swipes; the test scrolls)."""
    page = rig.screen("procedure")
    scroll = page.ids.scroll
    for _ in range(20):  # the page may still be settling its layout (text sizes, pictures)
        scroll.scroll_to(widget, padding=10, animate=False)
        rig.driver.frames(2)
        if fully_on_screen(rig, widget):
            # a list still gliding takes the next touch as "stop" rather than as a touch on what is under it
            assert rig.driver.wait_until(lambda: abs(scroll.effect_y.velocity) < 1e-3, WAIT_S)
            return
    raise AssertionError(f"{type(widget).__name__} at {widget.to_window(*widget.pos)} size {widget.size} could not "
                         f"be scrolled into {scroll.to_window(*scroll.pos)} size {scroll.size} "
                         f"(scroll_y {scroll.scroll_y})")


def fully_on_screen(rig: Rig, widget) -> bool:
    x0, y0 = widget.to_window(widget.x, widget.y)
    scroll = rig.screen("procedure").ids.scroll
    sx, sy = scroll.to_window(scroll.x, scroll.y)
    return sy - 1 <= y0 and y0 + widget.height <= sy + scroll.height + 1 and sx - 1 <= x0


def on_screen(rig: Rig, widget) -> bool:
    x, y = widget.to_window(*widget.center)
    scroll = rig.screen("procedure").ids.scroll
    sx, sy = scroll.to_window(scroll.x, scroll.y)
    return sx <= x <= sx + scroll.width and sy <= y <= sy + scroll.height and widget.opacity > 0


def open_procedure(rig: Rig, code: str) -> object:
    rig.app.go("procedure", code=code)
    rig.driver.frames(3)
    page = rig.screen("procedure")
    assert rig.app.current == "procedure" and page.code == code
    return page


def make_clip(folder: Path, steps: list[tuple[str, str, float]]) -> Path:
    """A clip of plain pictures, one per (Vietnamese caption, English caption, seconds)."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for number, (vi, en, seconds) in enumerate(steps, 1):
        name = f"{number:02d}.png"
        Image.new("RGB", (160, 100), (40 * number, 90, 160)).save(folder / name)
        entries.append({"image": name, "caption": {"vi": vi, "en": en}, "seconds": seconds})
    (folder / "clip.json").write_text(json.dumps({"steps": entries}, ensure_ascii=False), encoding="utf-8")
    return folder


# --- browsing and searching -----------------------------------------------------------------------


def test_browsing_a_field_opens_a_procedure_page_with_its_checklist_fees_and_time(ui, tmp_path):
    """GIVEN the home screen WHEN the citizen touches the procedures tile, a field, then a procedure
    THEN the page lists the documents as a checklist, the fees in đồng, the working days and the result."""
    touch(ui, "tile:procedures", lambda: ui.app.current == "procedures")
    not_blank(ui.driver.screenshot(tmp_path / "fields.png"))
    listed = ui.screen("procedures")
    touch(ui, "field:civil_status", lambda: listed.mode == "field")
    rows = [w.tag for w in ui.driver.widgets() if getattr(w, "tag", "").startswith("procedure:")]
    assert set(rows) == {f"procedure:{p.code}" for p in ui.kiosk.catalog.in_field("civil_status")}
    touch(ui, "procedure:HT-CMC", lambda: ui.app.current == "procedure")
    page = ui.screen("procedure")
    assert page.code == "HT-CMC"

    procedure = ui.kiosk.catalog.get("HT-CMC")
    rows = page.ids.checklist.children[::-1]
    expected = [(d.id, d.title("vi"), d.required) for d in procedure.documents]
    assert [(r.item, r.text, r.required) for r in rows] == expected
    assert {r.need for r in rows} <= {"Bắt buộc", "Nếu có"} and any(r.need == "Bắt buộc" for r in rows)
    shown = " ".join(texts(page.ids.facts))
    assert "Nộp tại quầy: 15.000 đ" in shown and "Nộp trực tuyến: 7.500 đ" in shown
    assert "3 ngày làm việc" in shown
    assert "Tại quầy" in shown and "Qua bưu điện" in shown and "Bản điện tử" not in shown
    assert page.player.state == "empty"
    not_blank(ui.driver.screenshot(tmp_path / "procedure.png"))

    ui.app.back()
    assert ui.app.current == "procedures" and ui.screen("procedures").mode == "field"
    ui.app.back()
    assert ui.screen("procedures").mode == "fields"


def test_a_free_same_day_procedure_reads_free_and_same_working_day_in_both_languages(ui):
    page = open_procedure(ui, "HT-KS")
    shown = " ".join(texts(page.ids.facts))
    assert "Nộp tại quầy: Miễn phí" in shown and "Trong ngày làm việc" in shown
    ui.app.set_language("en", speak=False)
    ui.driver.frames(2)
    shown = " ".join(texts(page.ids.facts))
    assert "At the counter: Free" in shown and "Same working day" in shown and "Electronic copy" in shown
    assert page.ids.checklist.children[-1].text == "Birth registration form"
    assert not {m for lang, m in i18n.missing if lang in ("vi", "en")}


def test_typing_khai_sinh_on_the_keys_finds_dang_ky_khai_sinh(ui, tmp_path):
    """GIVEN the search box WHEN the citizen types "khai sinh" without diacritics on the on-screen keys
    THEN "Đăng ký khai sinh" is listed first and touching it opens its page."""
    touch(ui, "tile:procedures", lambda: ui.app.current == "procedures")
    ui.driver.tap("procedures:search")
    search = ui.screen("procedures")
    assert search.mode == "search"
    assert search.message == "Type the first letters of the procedure, then touch it in the list."
    for key in "KHAI":
        ui.driver.tap(f"key:{key}")
    ui.driver.tap("key:space")
    for key in "SINX":
        ui.driver.tap(f"key:{key}")
    assert search.query == "KHAI SINX" and search.found == []
    assert search.message == "No procedure matches. Try fewer letters."
    ui.driver.tap("key:delete")
    ui.driver.tap("key:H")
    assert search.query == "KHAI SINH"
    assert [p.code for p in search.found][:1] == ["HT-KS"]
    first = ui.driver.find("procedure:HT-KS")
    assert first.text == "Đăng ký khai sinh"
    not_blank(ui.driver.screenshot(tmp_path / "search.png"))
    touch(ui, first, lambda: ui.app.current == "procedure")
    assert ui.screen("procedure").code == "HT-KS"
    ui.app.back()
    assert ui.app.current == "procedures" and search.mode == "search" and search.query == "KHAI SINH"


# --- the procedure page without a procedure ------------------------------------------------------------


def test_the_page_without_a_procedure_or_with_an_unknown_one_says_so_and_offers_the_list(ui):
    ui.app.go("procedure")
    ui.driver.frames(2)
    page = ui.screen("procedure")
    assert page.problem == "Choose a procedure first." and page.procedure is None
    assert ui.driver.find("procedure:submit").disabled
    ui.app.go("procedure", code="NO-SUCH")
    ui.driver.frames(2)
    assert page.problem == "This procedure is not offered here."
    ui.driver.tap("procedure:browse")
    assert ui.app.current == "procedures" and ui.screen("procedures").mode == "fields"


# --- guidance clips -----------------------------------------------------------------------------------


def test_a_procedure_without_a_clip_shows_no_player(ui):
    page = open_procedure(ui, "HT-TLBS")
    assert ui.kiosk.catalog.get("HT-TLBS").clip is None
    assert page.player.state == "empty" and page.player.children == []
    for tag in ("clip:play", "clip:replay"):
        with pytest.raises(Exception, match="nothing tagged"):
            ui.driver.find(tag)


def test_broken_clips_show_one_line_and_log_once_for_the_operator(ui, assets, caplog, tmp_path):
    """GIVEN clip folders with bad JSON, a missing picture, a damaged picture and no clip.json
    THEN each page shows "guide unavailable" without a player and the operator gets one log line each."""
    guides = assets / "guides"
    (guides / "HT-KS").mkdir()
    (guides / "HT-KS" / "clip.json").write_text('{"steps": [', encoding="utf-8")
    make_clip(guides / "HT-KH", [("Bước một", "Step one", 2), ("Bước hai", "Step two", 2)])
    (guides / "HT-KH" / "02.png").unlink()
    make_clip(guides / "CT-BS", [("Bước một", "Step one", 2)])
    (guides / "CT-BS" / "01.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    (guides / "HT-KT").mkdir()
    ui.kiosk.catalog = Catalog.load(assets)

    caplog.set_level(logging.WARNING, logger="screens.clip_player")
    for code in ("HT-KS", "HT-KH", "CT-BS", "HT-KT"):
        page = open_procedure(ui, code)
        assert page.player.state == "unavailable", code
        assert page.player.children == [page.player.missing]
        into_view(ui, page.player)
        assert on_screen(ui, page.player.missing)
        assert "Chưa xem được hướng dẫn này" in " ".join(texts(page.player))
        with pytest.raises(Exception, match="nothing tagged"):
            ui.driver.find("clip:play")
    not_blank(ui.driver.screenshot(tmp_path / "unavailable.png"))
    open_procedure(ui, "HT-KS")  # shown again: no second log line
    lines = [r.getMessage() for r in caplog.records if r.name == "screens.clip_player"]
    assert len(lines) == 4, lines
    for code, reason in (("HT-KS", "cannot be read"), ("HT-KH", "02.png is missing"), ("CT-BS", "cannot be opened"),
                         ("HT-KT", "clip.json is missing")):
        assert any(code in line and reason in line for line in lines), (code, lines)
    assert all(r.levelno == logging.WARNING for r in caplog.records if r.name == "screens.clip_player")


def test_the_clip_plays_with_its_caption_shown_and_spoken_and_pauses_and_starts_again(ui, tmp_path):
    page = open_procedure(ui, "HT-KS")
    player = page.player
    steps = json.loads((ASSETS_DIR / "guides" / "HT-KS" / "clip.json").read_text(encoding="utf-8"))["steps"]
    assert player.state == "paused" and player.count == len(steps)
    into_view(ui, player.view)
    caption = player.view.ids.caption
    assert caption.text == steps[0]["caption"]["vi"] and on_screen(ui, caption)  # shown before playing too
    touch(ui, "clip:play", lambda: player.state == "playing")
    assert ui.speaker.said()[-1] == steps[0]["caption"]["vi"]
    assert ui.driver.find("clip:play").icon == "pause"
    picture = player.view.ids.picture
    assert picture.texture is not None and Path(picture.source).name == steps[0]["image"]
    not_blank(ui.driver.screenshot(tmp_path / "playing.png"))

    touch(ui, "clip:play", lambda: player.state == "paused")  # now the pause button
    assert not ui.speaker.speaking
    ui.app.set_language("en", speak=False)
    ui.driver.frames(2)
    assert caption.text == steps[0]["caption"]["en"]
    ui.speaker.clear()
    touch(ui, "clip:replay", lambda: player.state == "playing")
    assert player.index == 0
    assert ui.speaker.said("en") == [steps[0]["caption"]["en"]]
    ui.app.go("procedures")  # leaving the page stops the clip
    assert player.state == "paused"


def test_a_short_clip_plays_every_step_to_the_end(ui, assets):
    make_clip(assets / "guides" / "HT-KS",
              [("Mang tờ khai", "Bring the form", 1), ("Đến quầy số 1", "Go to counter 1", 1)])
    ui.kiosk.catalog = Catalog.load(assets)
    page = open_procedure(ui, "HT-KS")
    into_view(ui, page.player.view)
    touch(ui, "clip:play", lambda: page.player.state == "ended")
    assert ui.speaker.said("vi")[-2:] == ["Mang tờ khai", "Đến quầy số 1"]
    assert page.player.view.ids.caption.text == "Đến quầy số 1"
    before = len(ui.speaker.said("vi"))
    into_view(ui, page.player.view)
    touch(ui, "clip:play", lambda: len(ui.speaker.said("vi")) > before)  # from the end: again from the first step
    assert ui.speaker.said("vi")[before] == "Mang tờ khai"


# --- leaving the page ------------------------------------------------------------------------------------


def test_submit_this_dossier_asks_for_the_card_first_then_goes_to_the_form(ui):
    assert "dossier_form" in ui.app.registry, "the dossier form screen is not registered"
    page = open_procedure(ui, "HT-KS")
    assert ui.app.identity is None
    ui.driver.tap("procedure:submit")
    identify = ui.screen("identify")
    assert ui.app.current == "identify"
    assert identify.then == "dossier_form" and identify.then_params == {"procedure": "HT-KS"}
    assert identify.title == "Identify to submit a dossier"
    ui.app.back()
    assert ui.app.current == "procedure" and page.code == "HT-KS"


def test_take_a_queue_number_instead_opens_the_ticket_step_for_the_procedures_service(ui):
    open_procedure(ui, "CT-BS")
    ui.driver.tap("procedure:ticket")
    assert ui.app.current == "ticket_confirm"
    assert ui.screen("ticket_confirm").service == ui.kiosk.catalog.get("CT-BS").service == "B"


# --- reading a clip folder --------------------------------------------------------------------------------


@pytest.mark.parametrize("damage, reason", [
    ("no_folder", "clip.json is missing"),
    ("not_json", "cannot be read"),
    ("no_steps", "has no steps"),
    ("path_outside", "file name inside the clip folder"),
    ("no_caption", "caption must map languages to text"),
    ("too_long", "seconds must be"),
    ("missing_picture", "is missing"),
    ("not_a_picture", "cannot be opened"),
])
def test_reading_a_damaged_clip_says_what_is_wrong(tmp_path, damage, reason):
    from screens.clip_player import ClipUnavailable, clip_or_none, load_clip

    folder = make_clip(tmp_path / "clip", [("Bước một", "Step one", 2)])
    clip = json.loads((folder / "clip.json").read_text(encoding="utf-8"))
    step = clip["steps"][0]
    if damage == "no_folder":
        folder = tmp_path / "nowhere"
    elif damage == "not_json":
        (folder / "clip.json").write_text("{", encoding="utf-8")
    elif damage == "missing_picture":
        (folder / "01.png").unlink()
    elif damage == "not_a_picture":
        (folder / "01.png").write_text("not a picture", encoding="utf-8")
    else:
        if damage == "no_steps":
            clip["steps"] = []
        elif damage == "path_outside":
            step["image"] = "../01.png"
        elif damage == "no_caption":
            step["caption"] = {"vi": "  "}
        elif damage == "too_long":
            step["seconds"] = 600
        (folder / "clip.json").write_text(json.dumps(clip), encoding="utf-8")
    with pytest.raises(ClipUnavailable, match=reason):
        load_clip(folder)
    assert clip_or_none(folder) is None


def test_a_good_clip_reads_with_captions_falling_back_to_vietnamese(tmp_path):
    from screens.clip_player import load_clip

    folder = make_clip(tmp_path / "clip", [("Bước một", "Step one", 2), ("Bước hai", "Step two", 3.5)])
    clip = load_clip(folder)
    assert [s.image.name for s in clip.steps] == ["01.png", "02.png"]
    assert [s.seconds for s in clip.steps] == [2.0, 3.5]
    assert clip.steps[1].caption_in("en") == "Step two" and clip.steps[1].caption_in("fr") == "Bước hai"
    for code in ("HT-KS", "HT-KH", "CT-BS"):
        assert len(load_clip(ASSETS_DIR / "guides" / code).steps) >= 3


# --- accessibility ----------------------------------------------------------------------------------------


def visible_targets(rig: Rig) -> list:
    """The enabled pressables a finger can reach now, each with the part of it that shows (a list clips its rows)."""
    from kivy.uix.scrollview import ScrollView

    from screens.widgets import Pressable

    found = []
    for w in rig.driver.widgets():
        if not isinstance(w, Pressable) or w.disabled or w.opacity == 0 or w.height < 1:
            continue
        x, y = w.to_window(w.x, w.y)
        rect = [x, y, x + w.width, y + w.height]
        node = w.parent
        while node is not None and node is not node.parent:
            if isinstance(node, ScrollView):
                sx, sy = node.to_window(node.x, node.y)
                rect = [max(rect[0], sx), max(rect[1], sy),
                        min(rect[2], sx + node.width), min(rect[3], sy + node.height)]
            node = node.parent
        if rect[2] - rect[0] > 1 and rect[3] - rect[1] > 1:
            found.append((w, tuple(rect)))
    return found


def layout_problems(rig: Rig, where: str) -> list[str]:
    from kivy.uix.label import Label

    from screens import fonts
    from screens.theme import MIN_GAP_MM, MIN_TARGET_MM

    t, found = rig.app.theme, []
    rects = []
    for w, rect in visible_targets(rig):
        if min(w.width, w.height) < t.mm(MIN_TARGET_MM) - 0.5:
            found.append(f"{where}: {w.tag} is {w.width:.0f}x{w.height:.0f} px, under 15 mm")
        rects.append((w.tag, rect))
    for i, (tag_a, a) in enumerate(rects):
        for tag_b, b in rects[i + 1:]:
            gap = max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3])
            if gap < t.mm(MIN_GAP_MM) - 0.5:
                found.append(f"{where}: {tag_a} and {tag_b} are {gap:.0f} px apart, under 3 mm")
    for w in rig.driver.widgets():
        if isinstance(w, Label) and w.text and w.opacity > 0 and w.font_name != fonts.ICONS:
            if w.font_size < t.font_small - 0.01:
                found.append(f"{where}: {w.text!r} at {w.font_size} px is under the smallest text size")
            if w.text_size[0] and w.texture_size[0] > w.width + 1:
                found.append(f"{where}: {w.text!r} overflows its {w.width:.0f} px")
    return found


@pytest.mark.parametrize("mode", ["standard", "large_text"])
def test_every_view_has_large_targets_apart_readable_text_and_every_message_translated(ui, mode):
    from screens import theme

    ui.app.theme = theme.for_config(ui.kiosk.config.kiosk, **({mode: True} if mode != "standard" else {}))
    found = []
    try:
        for language in ("vi", "en"):
            ui.app.set_language(language, speak=False)
            for name, params in (("procedures", {}), ("procedures", {"field": "civil_status"}),
                                 ("procedures", {"search": True}), ("procedure", {"code": "HT-KS"}),
                                 ("procedure", {"code": "XD-GPXD"}), ("procedure", {})):
                ui.app.go(name, **params)
                if params.get("search"):
                    for key in "KHAI":
                        ui.driver.tap(f"key:{key}")
                ui.driver.frames(3)
                found += layout_problems(ui, f"{name}{params}/{language}/{mode}")
                if name == "procedure" and ui.screen("procedure").player.state == "paused":
                    into_view(ui, ui.screen("procedure").player.view)
                    found += layout_problems(ui, f"{name}{params}/clip/{language}/{mode}")
    finally:
        ui.app.theme = theme.for_config(ui.kiosk.config.kiosk)
    assert found == []
    assert not {(lang, m) for lang, m in i18n.missing if lang in ("vi", "en")}


# --- through the card to the form ------------------------------------------------------------------------


def test_after_identifying_the_form_opens_for_the_procedure_and_a_second_submit_skips_the_card(ui):
    """GIVEN the identify step opened by "Submit this dossier" WHEN an (invented) citizen shows their card and
    confirms THEN the form opens for the procedure; back on the page, "Submit" goes straight to the form."""
    open_procedure(ui, "HT-KS")
    ui.driver.tap("procedure:submit")
    identify = ui.screen("identify")
    assert ui.driver.wait_until(lambda: identify.scan.running, WAIT_S)
    ui.kiosk.devices.qr_reader.push(CARD)
    assert ui.driver.wait_until(lambda: identify.state == "confirm", WAIT_S)
    ui.driver.frames(2)
    ui.driver.tap("identify:confirm")
    form = ui.screen("dossier_form")
    assert ui.app.current == "dossier_form" and form.procedure.code == "HT-KS"
    assert ui.app.identity is not None
    ui.app.back()
    ui.driver.frames(2)
    assert ui.app.current == "procedure"
    ui.driver.tap("procedure:submit")
    assert ui.app.current == "dossier_form" and form.procedure.code == "HT-KS"
