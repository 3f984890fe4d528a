"""espeak-ng really renders Vietnamese to WAV files, cached by voice, rate, amplitude and text."""

import array
import os
import math
import wave
from pathlib import Path

import pytest

from devices.errors import DriverUnavailable
from devices.speaker.synth import SpeechSynth, voice_exists, wav_duration

CALL = "Mời số A012 đến quầy 9"


def rms(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2
        samples = array.array("h", wav.readframes(wav.getnframes()))
    return math.sqrt(sum(s * s for s in samples) / len(samples))


@pytest.fixture
def synth(tmp_path):
    return SpeechSynth(tmp_path / "speech-cache")


def test_vietnamese_text_becomes_a_cached_wav(synth):
    wav = synth.render(CALL, "vi")

    assert wav.parent == synth.cache_dir and wav.suffix == ".wav"
    assert wav_duration(wav) > 0.5  # a sentence, not a click
    assert CALL not in wav.name and "A012" not in wav.name


def test_second_render_is_a_cache_hit_without_espeak(synth):
    first = synth.render(CALL, "vi")
    synth.executable = "/nonexistent/espeak-ng"  # any synthesis from now on would fail

    again = synth.render(f"  {CALL} ", "vi")

    assert again == first
    assert sorted(p.name for p in synth.cache_dir.glob("*.wav")) == [first.name]
    with pytest.raises(DriverUnavailable, match="cannot run espeak-ng"):
        synth.render("Một câu khác chưa có trong bộ nhớ", "vi")


def test_voice_rate_and_amplitude_each_make_their_own_rendering(tmp_path, synth):
    north = synth.render(CALL, "vi")
    south = SpeechSynth(synth.cache_dir, voices={"vi": "vi-vn-x-south"}).render(CALL, "vi")
    slow = SpeechSynth(synth.cache_dir, rate=100).render(CALL, "vi")
    loud = synth.render(CALL, "vi", amplitude=200)

    assert len({north, south, slow, loud}) == 4
    assert wav_duration(slow) > wav_duration(north)
    assert rms(loud) > rms(north) * 1.3


def test_english_uses_the_english_voice(synth):
    english = synth.render("Please take your ticket", "en")
    assert wav_duration(english) > 0.5
    assert synth.voice_for("en") == "en"


def test_private_text_is_rendered_outside_the_cache_and_forgotten(synth):
    wav = synth.render("Nguyễn Văn An, mời nhận kết quả", "vi", keep=False)

    assert wav.parent == synth.private_dir and wav_duration(wav) > 0
    assert list(synth.cache_dir.glob("*.wav")) == []
    synth.forget(wav)
    assert not wav.exists()


def test_forget_private_clears_leftovers_but_keeps_prompts(synth):
    prompt = synth.render(CALL, "vi")
    synth.render("Trần Thị Bình", "vi", keep=False)
    synth.render("Lê Văn Cường", "vi", keep=False)

    assert synth.forget_private() == 2
    assert list(synth.private_dir.iterdir()) == [] and prompt.exists()


def test_prune_drops_least_recently_used_renderings(tmp_path):
    synth = SpeechSynth(tmp_path / "cache")
    old = synth.render("Xin chào", "vi")
    new = synth.render("Cảm ơn", "vi")
    os.utime(old, (1_000_000, 1_000_000))
    synth.render("Cảm ơn", "vi")  # a cache hit marks it used now
    synth.max_cache_bytes = new.stat().st_size  # room for one

    assert synth.prune() == 1
    assert new.exists() and not old.exists()


def test_blank_text_and_bad_amplitude_are_refused(synth):
    with pytest.raises(ValueError, match="blank"):
        synth.render("   ", "vi")
    with pytest.raises(ValueError, match="amplitude"):
        synth.render(CALL, "vi", amplitude=300)


def test_a_language_without_voice_is_driver_unavailable(synth):
    assert voice_exists("vi-vn-x-central") and not voice_exists("zz-nowhere")
    with pytest.raises(DriverUnavailable, match="no voice 'zz-nowhere'"):
        synth.render("hello", "zz-nowhere")


def test_missing_espeak_is_driver_unavailable(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DriverUnavailable, match="espeak-ng is not installed"):
        SpeechSynth(tmp_path / "cache")
