"""The lobby's sounds: the chime made on the server, and calls spoken by espeak-ng, cached."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from central.announcer import Announcer, call_text, chime_wav, spoken_text
from counters_support import http


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(float), wav.getframerate()


def loudest_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


def test_chime_is_a_ding_then_a_dong():
    samples, rate = read_wav(chime_wav())
    assert 1.2 < len(samples) / rate < 2.0
    assert np.max(np.abs(samples)) > 16000  # loud enough, not clipped at full scale
    assert np.max(np.abs(samples)) < 32767
    ding = loudest_frequency(samples[: int(0.4 * rate)], rate)
    dong = loudest_frequency(samples[int(0.6 * rate): int(1.2 * rate)], rate)
    assert abs(ding - 1318.5) < 15 and abs(dong - 1046.5) < 15


def test_call_wording():
    assert call_text("A012", "9") == "Mời số A012 đến quầy 9"
    assert spoken_text("A012", "9") == "Mời số A không một hai, đến quầy 9"
    assert spoken_text("K1-A001", "12") == "Mời số K một A không không một, đến quầy 12"


def test_announcer_refuses_anything_but_a_number_and_a_counter(tmp_path):
    announcer = Announcer(tmp_path)
    with pytest.raises(ValueError):
        announcer.speech("say anything", "1")
    with pytest.raises(ValueError):
        announcer.speech("A001", "1; rm")
    assert announcer.chime().read_bytes() == chime_wav()


def test_chime_and_spoken_call_are_served_and_cached(site, lobby_service):
    client = http(site.url, headers={"Accept-Language": "vi"})
    chime = client.get("/board/chime.wav")
    assert chime.status_code == 200 and chime.headers["content-type"] == "audio/wav"
    assert chime.content == chime_wav()
    ticket = site.ticket("E")
    site.call_next("6")
    path = f"/board/{site.code}/calls/{ticket['number']}/6.wav"
    spoken = client.get(path)
    assert spoken.status_code == 200 and spoken.headers["content-type"] == "audio/wav"
    samples, rate = read_wav(spoken.content)
    assert len(samples) / rate > 1.5 and np.max(np.abs(samples)) > 3000  # a sentence, not silence
    cache = lobby_service.settings.data_dir / "lobby-sounds" / "speech"
    before = sorted(p.name for p in cache.glob("*.wav"))
    assert client.get(path).content == spoken.content
    assert sorted(p.name for p in cache.glob("*.wav")) == before  # rendered once


def test_speech_only_for_numbers_issued_today_at_the_center(site):
    client = http(site.url, headers={"Accept-Language": "vi"})
    site.ticket("A")
    unknown = client.get(f"/board/{site.code}/calls/A999/1.wav")
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "Số A999 chưa được gọi tại quầy 1 hôm nay."
    assert client.get(f"/board/{site.code}/calls/A001/99.wav").status_code == 404
    assert client.get(f"/board/{site.code}/calls/A%20001/1.wav").status_code == 422
