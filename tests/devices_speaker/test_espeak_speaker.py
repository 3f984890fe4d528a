"""The espeak-ng speaker with real players: a paced stand-in for the sound card, sox's play, none."""

import shlex
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from devices.errors import DriverUnavailable
from devices.registry import DeviceContext, open_device
from devices.speaker import amplitude_for
from devices.speaker.espeak import EspeakSpeaker
from devices.speaker.synth import wav_duration

SINK = Path(__file__).with_name("paced_sink.py")
LONG = (
    "Xin mời quý khách đặt căn cước công dân lên đầu đọc, mặt có mã QR hướng lên trên, "
    "rồi chờ trong giây lát."
)
SHORT = "Cảm ơn quý khách."


def open_speaker(tmp_path, query: str) -> EspeakSpeaker:
    context = DeviceContext(data_dir=tmp_path / "data")
    speaker = open_device("speaker", f"espeak://?{query}", context)
    assert isinstance(speaker, EspeakSpeaker)
    return speaker


def sink_player(started: Path, speed: float) -> str:
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(SINK))} {{wav}} {shlex.quote(str(started))} {speed}"
    return "cmd:" + command.replace("%", "%25").replace("&", "%26").replace("+", "%2B").replace(" ", "+")


def wait_started(started: Path, count: int, timeout: float = 20.0) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        markers = sorted(started.glob("*.started"))
        if len(markers) >= count:
            return markers
        time.sleep(0.02)
    raise AssertionError(f"expected {count} player(s) to start, saw {len(list(started.glob('*.started')))}")


@pytest.fixture
def sink(tmp_path):
    started = tmp_path / "started"
    started.mkdir()
    return started


def test_a_new_say_terminates_the_playing_utterance(tmp_path, sink):
    with open_speaker(tmp_path, f"player={sink_player(sink, 3.0)}") as speaker:
        speaker.say(LONG, "vi")
        wait_started(sink, 1)
        speaker.say(SHORT, "vi")

        assert speaker.wait_idle(timeout=30)
        wait_started(sink, 2)
        first, second = speaker.playbacks
        assert first.interrupted and first.returncode == -signal.SIGTERM
        assert not second.interrupted and second.returncode == 0
        assert speaker.health().status == "ok"


def test_stop_interrupts_and_leaves_the_speaker_idle(tmp_path, sink):
    with open_speaker(tmp_path, f"player={sink_player(sink, 1.0)}") as speaker:
        speaker.say(LONG, "vi")
        wait_started(sink, 1)
        speaker.stop()

        assert speaker.wait_idle(timeout=10)
        assert not speaker.speaking
        assert [p.interrupted for p in speaker.playbacks] == [True]


def test_say_returns_before_the_utterance_ends(tmp_path, sink):
    with open_speaker(tmp_path, f"player={sink_player(sink, 1.0)}") as speaker:
        speaker.say(LONG, "vi")
        assert speaker.speaking  # still rendering or playing: say did not wait
        wait_started(sink, 1)
        assert speaker.speaking
        speaker.stop()


def test_sox_play_to_the_alsa_null_device_completes(tmp_path):
    with open_speaker(tmp_path, "player=sox-play&audio_device=null") as speaker:
        speaker.say(SHORT, "vi")
        assert speaker.wait_idle(timeout=30)

        assert [(p.returncode, p.interrupted, p.error) for p in speaker.playbacks] == [(0, False, "")]
        assert speaker.health().status == "ok"


def test_a_failing_player_turns_health_to_error_until_a_playback_succeeds(tmp_path, sink):
    with open_speaker(tmp_path, "player=sox-play&audio_device=no_such_output") as speaker:
        speaker.say(SHORT, "vi")
        assert speaker.wait_idle(timeout=30)

        assert speaker.playbacks[-1].returncode not in (0, None)
        health = speaker.health()
        assert health.status == "error" and "audio player 'sox-play' failed" in health.detail

        from devices.speaker.player import player_from_config

        speaker.player = player_from_config("sox-play", "null")
        speaker.say(SHORT, "vi")
        assert speaker.wait_idle(timeout=30)
        assert speaker.health().status == "ok"


def test_player_none_renders_only_and_says_so_in_health(tmp_path):
    with open_speaker(tmp_path, "player=none") as speaker:
        speaker.say(SHORT, "vi")
        assert speaker.wait_idle(timeout=30)

        (playback,) = speaker.playbacks
        wav = speaker.synth.cache_dir / playback.wav
        assert playback.returncode is None and wav_duration(wav) > 0
        assert speaker.health().status == "warning" and "player=none" in speaker.health().detail


def test_render_returns_the_cached_wav_at_the_current_volume(tmp_path):
    with open_speaker(tmp_path, "player=none&volume=0.5") as speaker:
        wav = speaker.render("Mời số A012 đến quầy 9", "vi")

        assert wav == speaker.synth.cache_path("Mời số A012 đến quầy 9", "vi", amplitude_for(0.5))
        assert wav_duration(wav) > 0.5


def test_reset_restores_the_default_volume(tmp_path):
    with open_speaker(tmp_path, "player=none&volume=0.6") as speaker:
        speaker.set_volume(1.0)
        speaker.reset()
        assert speaker.volume == 0.6

        speaker.say(SHORT, "vi")
        assert speaker.wait_idle(timeout=30)
        assert speaker.playbacks[-1].wav == speaker.synth.cache_path(SHORT, "vi", amplitude_for(0.6)).name


def test_volume_changes_the_rendered_loudness_and_zero_is_silent(tmp_path):
    with open_speaker(tmp_path, "player=none") as speaker:
        speaker.set_volume(0.0)
        speaker.say(SHORT, "vi")
        assert speaker.wait_idle(timeout=30)
        assert list(speaker.playbacks) == []

        speaker.set_volume(0.3)
        quiet = speaker.render(SHORT, "vi")
        speaker.set_volume(1.0)
        loud = speaker.render(SHORT, "vi")
        assert loud != quiet and loud.stat().st_size > 0
        with pytest.raises(ValueError):
            speaker.set_volume(1.5)


def test_private_text_leaves_nothing_on_disk(tmp_path):
    with open_speaker(tmp_path, "player=none") as speaker:
        speaker.say("Nguyễn Văn An, mời nhận kết quả ở ngăn A3", "vi", private=True)
        assert speaker.wait_idle(timeout=30)

        assert len(speaker.playbacks) == 1
        assert list(speaker.synth.private_dir.iterdir()) == []
        assert list(speaker.synth.cache_dir.glob("*.wav")) == []


def test_english_and_other_voices_from_the_url(tmp_path):
    with open_speaker(tmp_path, "player=none&voice_vi=vi-vn-x-south&rate=130") as speaker:
        assert speaker.synth.voice_for("vi") == "vi-vn-x-south" and speaker.synth.rate == 130
        speaker.say("Please wait for your number", "en")
        assert speaker.wait_idle(timeout=30)
        assert len(speaker.playbacks) == 1
        with pytest.raises(DriverUnavailable, match="no voice"):
            speaker.say("bonjour", "zz-nowhere")


def test_cache_defaults_to_the_data_dir(tmp_path):
    with open_speaker(tmp_path, "player=none") as speaker:
        assert speaker.synth.cache_dir == tmp_path / "data" / "speech-cache"


@pytest.mark.parametrize(
    "query, message",
    [
        ("player=cmd:/nonexistent/player", "audio player '/nonexistent/player' is not installed"),
        ("player=walkman", "unknown player 'walkman'"),
        ("player=none&voice_vi=zz-nowhere", "no voice 'zz-nowhere' for language 'vi'"),
        ("player=none&rate=fast", "rate: must be a number"),
        ("player=none&volume=2", "volume must be from 0.0 to 1.0"),
    ],
)
def test_bad_configuration_fails_loudly_at_start(tmp_path, query, message):
    with pytest.raises(DriverUnavailable, match=message):
        open_speaker(tmp_path, query)


def test_missing_espeak_fails_loudly_at_start(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DriverUnavailable, match="espeak-ng is not installed"):
        open_speaker(tmp_path, "player=none")


def test_missing_player_program_fails_loudly_at_start(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"  # a machine with espeak-ng and no audio player
    bin_dir.mkdir()
    (bin_dir / "espeak-ng").symlink_to(shutil.which("espeak-ng"))
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(DriverUnavailable, match="'paplay' is not installed .*pulseaudio-utils"):
        open_speaker(tmp_path, "player=paplay")
