"""The simulated speaker records what it was asked to say and can be told to fail."""

import threading

import pytest

from devices.errors import DeviceDisconnected, DeviceTimeout, DriverUnavailable
from devices.registry import DeviceContext, open_device
from devices.speaker.sim import SimulatedSpeaker


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def speaker(clock):
    return SimulatedSpeaker(clock=clock)


def test_registry_opens_the_simulator_from_its_url(tmp_path):
    speaker = open_device("speaker", "sim://?wpm=120&volume=0.5&languages=vi,en", DeviceContext(data_dir=tmp_path))
    assert isinstance(speaker, SimulatedSpeaker)
    assert (speaker.wpm, speaker.volume, speaker.languages) == (120, 0.5, ("vi", "en"))
    assert speaker.health().status == "ok"
    assert not (tmp_path / "speech").exists()  # nothing written to disk


def test_every_utterance_is_recorded_with_language_and_volume(speaker):
    speaker.say("Xin chào quý khách", "vi")
    speaker.set_volume(0.4)
    speaker.say("Welcome", "en")

    first, second = speaker.utterances
    assert (first.text, first.language, first.volume) == ("Xin chào quý khách", "vi", 0.8)
    assert (second.text, second.language, second.volume) == ("Welcome", "en", 0.4)
    assert speaker.said("en") == ["Welcome"]
    assert first.at <= second.at


def test_a_new_say_interrupts_an_utterance_still_playing(speaker, clock):
    speaker.say("một hai ba bốn năm sáu bảy tám", "vi")  # 8 words at 150 wpm: 3.2 s
    clock.now += 1.0
    speaker.say("Mời số A012", "vi")
    clock.now += 10.0
    speaker.say("Cảm ơn", "vi")

    assert [u.interrupted for u in speaker.utterances] == [True, False, False]
    assert speaker.utterances[0].duration_s == pytest.approx(3.2)


def test_stop_interrupts_only_while_speaking(speaker, clock):
    speaker.say("một hai ba bốn năm", "vi")
    assert speaker.speaking
    speaker.stop()
    assert not speaker.speaking and speaker.utterances[-1].interrupted

    speaker.say("Cảm ơn", "vi")
    clock.now += 5.0
    speaker.stop()
    assert not speaker.utterances[-1].interrupted


def test_blank_text_only_stops(speaker):
    speaker.say("một hai ba bốn năm", "vi")
    speaker.say("   ", "vi")
    assert len(speaker.utterances) == 1 and speaker.utterances[0].interrupted


def test_reset_restores_default_volume_and_forgets_private_text(speaker):
    speaker.say("Mời số A012", "vi")
    speaker.say("Nguyễn Văn An, mời nhận kết quả", "vi", private=True)
    speaker.set_volume(1.0)

    speaker.reset()

    assert speaker.volume == speaker.default_volume == 0.8
    assert speaker.said() == ["Mời số A012"]
    assert not speaker.speaking


def test_no_audio_fault_fails_health_and_every_say(speaker):
    speaker.set_fault("no_audio")

    assert speaker.health().status == "error"
    for _ in range(2):
        with pytest.raises(DeviceDisconnected):
            speaker.say("Xin chào", "vi")
    assert speaker.utterances == []

    speaker.clear_fault()
    speaker.say("Xin chào", "vi")
    assert speaker.health().status == "ok" and speaker.said() == ["Xin chào"]


def test_fail_next_fails_once(speaker):
    speaker.fail_next(DeviceTimeout("speaker: player hung"))
    with pytest.raises(DeviceTimeout):
        speaker.say("Xin chào", "vi")
    speaker.say("Xin chào", "vi")
    assert speaker.said() == ["Xin chào"] and speaker.health().status == "ok"


def test_a_language_without_voice_is_refused(clock):
    speaker = SimulatedSpeaker(languages=("vi",), clock=clock)
    with pytest.raises(DriverUnavailable, match="'en'"):
        speaker.say("Hello", "en")


def test_wait_utterances_wakes_when_another_thread_speaks(speaker):
    worker = threading.Thread(target=speaker.say, args=("Xin chào", "vi"))
    worker.start()
    assert speaker.wait_utterances(1, timeout=10)
    worker.join()
    assert not speaker.wait_utterances(2, timeout=0.01)


@pytest.mark.parametrize("volume", [-0.1, 1.01, float("nan"), "loud", True])
def test_bad_volume_is_refused(speaker, volume):
    with pytest.raises(ValueError):
        speaker.set_volume(volume)
    assert speaker.volume == 0.8


def test_unknown_fault_and_bad_url_are_refused(speaker, tmp_path):
    with pytest.raises(ValueError, match="unknown speaker fault"):
        speaker.set_fault("on_fire")
    with pytest.raises(DriverUnavailable, match="wpm"):
        open_device("speaker", "sim://?wpm=9000", DeviceContext(data_dir=tmp_path))
