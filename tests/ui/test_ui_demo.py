"""``kiosk demo``: the headless scripted visit, its screenshots and its failures."""

from __future__ import annotations

import pytest
from PIL import Image

from kiosk.cli import UsageError, main
from kiosk.cli.demo import MARKER, prepare_output
from screens.demo_script import Step, default_steps, run_visit, tap


@pytest.mark.ui
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_headless_demo_walks_the_visit_and_writes_real_screenshots(demo_visit):
    done, out = demo_visit, demo_visit.out
    assert done.returncode == 0, done.stderr[-5000:]
    assert "screens visited: attract → home → " in done.stdout
    shots = sorted(p for p in out.glob("*.png") if not p.name.startswith("printed-"))  # the rest: the slips
    names = [p.name for p in shots]
    assert names[0] == "01-attract.png" and "02-home.png" in names
    assert any(name.endswith("-en.png") for name in names)
    # the dossier part: submitted, the slip printed, looked up with it, picked up from the locker, rated
    for step in ("dossier-form-typing", "dossier-slip", "lookup-status", "lookup-details", "pickup-open",
                 "pickup-done", "pickup-rating"):
        assert any(name.endswith(f"-{step}.png") for name in names), step
    assert "dossier_slip → rating → attract → dossier_status → dossier_details → dossier_pickup → rating" in done.stdout
    for path in shots:
        image = Image.open(path)
        assert image.size == (1080, 1920), path.name
        low, high = image.convert("L").getextrema()
        assert high - low > 100, f"{path.name} is blank"
        assert path.name in done.stdout
    assert (out / "summary.txt").read_text(encoding="utf-8").startswith("kiosk demo: scripted visit done")
    # the gallery: every registered screen in each language, and in high contrast, each one speaking
    from screens.registry import SCREENS

    for folder in ("vi-standard", "en-standard", "vi-high_contrast"):
        pictures = sorted((out / "gallery" / folder).glob("*.png"))
        assert len(pictures) == len(SCREENS), folder
        for picture, name in zip(pictures, SCREENS):
            assert picture.stem.split("-", 1)[1].startswith(name), picture.name
    standard = Image.open(out / "gallery" / "vi-standard" / "02-home.png").convert("RGB")
    contrast = Image.open(out / "gallery" / "vi-high_contrast" / "02-home.png").convert("RGB")
    assert standard.getpixel((540, 960)) != contrast.getpixel((540, 960))
    speech = (out / "gallery" / "speech.txt").read_text(encoding="utf-8").splitlines()
    assert len(speech) == 2 * len(SCREENS)
    assert [line for line in speech if "(silent)" in line] == ["[vi] attract: (silent)", "[en] attract: (silent)"]
    assert "[vi] home: Ông/Bà cần làm gì?" in "\n".join(speech)
    assert "untranslated" not in done.stdout and "problem:" not in done.stdout
    health = done.stdout.split("device health:")[1]
    for device in ("printer", "qr_reader", "camera", "speaker", "locker", "central"):
        line = next(line for line in health.splitlines() if line.split()[:1] == [device])
        assert " ok " in f" {line} ", line


@pytest.mark.ui
def test_a_step_that_cannot_be_done_stops_the_visit_with_a_clear_message(driver, tmp_path):
    result = run_visit(driver, [Step("start", tap("start"), "home"), Step("ghost", tap("tile:ghost"), "home")], tmp_path)
    assert not result.ok
    assert result.failure.startswith("step 2 (ghost): nothing tagged 'tile:ghost'")
    assert [p.name for p in result.files] == ["01-start.png", "02-ghost-failed.png"]


@pytest.mark.ui
def test_a_step_that_lands_on_the_wrong_screen_fails(driver, tmp_path):
    result = run_visit(driver, [Step("start", tap("start"), "attract")], tmp_path)
    assert result.failure == "step 1 (start): expected the 'attract' screen, but 'home' is showing"
    assert [p.name for p in result.files] == ["01-start-failed.png"]


def test_the_default_visit_opens_every_tile_and_ends_on_the_attract_screen():
    from screens.registry import ScreenRegistry

    steps = default_steps(ScreenRegistry(), "vi", ("vi", "en"))
    names = [step.name for step in steps]
    assert names[:2] == ["attract", "home"]
    for task in ("ticket", "identify", "digitize", "lookup", "rating"):
        assert task in names
    assert "home-en" in names and steps[-1].expect == "attract"


def test_the_output_folder_is_only_emptied_when_the_demo_wrote_it(tmp_path):
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.png").write_bytes(b"not ours")
    with pytest.raises(UsageError, match="did not write"):
        prepare_output(foreign)
    assert (foreign / "holiday.png").exists()

    ours = tmp_path / "demo-output"
    prepare_output(ours)
    (ours / "01-old.png").write_bytes(b"old")
    prepare_output(ours)
    assert (ours / MARKER).exists() and not (ours / "01-old.png").exists()


def test_window_mode_without_a_display_is_refused_in_one_line(monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main(["demo", "--window"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--headless" in err
