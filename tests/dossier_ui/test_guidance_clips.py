"""The guidance clips the kiosk ships (``assets/guides``): what ``scripts/make_guides.py`` draws, small
pictures, captions in both languages, and the catalog pointing its procedures at them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from kiosk.dossiers.catalog import ASSETS_DIR, Catalog

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ASSETS_DIR / "guides"
CLIPS = ("HT-KS", "HT-KH", "CT-BS")


def make_guides():
    spec = importlib.util.spec_from_file_location("make_guides", ROOT / "scripts" / "make_guides.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("code", CLIPS)
def test_each_shipped_clip_has_small_pictures_and_captions_in_both_languages(code):
    clip = json.loads((GUIDES / code / "clip.json").read_text(encoding="utf-8"))
    assert len(clip["steps"]) >= 3
    for step in clip["steps"]:
        picture = GUIDES / code / step["image"]
        assert picture.stat().st_size <= 60_000
        with Image.open(picture) as image:
            assert image.size == (800, 500)
            assert len(image.convert("RGB").getcolors(256) or []) > 3, f"{picture} is blank"
        assert step["caption"]["vi"].strip() and step["caption"]["en"].strip()
        assert step["caption"]["vi"] != step["caption"]["en"]
        assert 1 <= step["seconds"] <= 60


def test_the_catalog_points_exactly_the_procedures_with_a_clip_folder_at_it():
    catalog = Catalog.load()
    with_clip = {p.code: p.clip for p in catalog.procedures if p.clip is not None}
    assert with_clip == {code: GUIDES / code for code in CLIPS}


def test_the_script_draws_the_shipped_clips_again(tmp_path):
    """GIVEN the committed clips WHEN make_guides.py runs into an empty folder THEN it writes the same clip.json
    files and pictures of the same size (so editing a caption and rerunning is all it takes)."""
    written = make_guides().make(tmp_path)
    assert {p.relative_to(tmp_path).parts[0] for p in written} == set(CLIPS)
    for code in CLIPS:
        assert (tmp_path / code / "clip.json").read_text(encoding="utf-8") == (GUIDES / code / "clip.json").read_text(
            encoding="utf-8")
        for picture in sorted((GUIDES / code).glob("*.png")):
            with Image.open(picture) as shipped, Image.open(tmp_path / code / picture.name) as drawn:
                assert shipped.size == drawn.size
                assert ImageChops.difference(shipped.convert("RGB"), drawn.convert("RGB")).getbbox() is None, picture
