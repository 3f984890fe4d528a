"""The real speaker: espeak-ng renders offline, an audio player program plays.

URL: ``espeak://?voice_vi=vi&voice_en=en&player=aplay&audio_device=hw:1,0&cache=DIR&rate=150&volume=0.8``

* ``voice_<lang>``: espeak-ng voice per language (Vietnamese: ``vi``, ``vi-vn-x-central``,
  ``vi-vn-x-south``); a language without one uses its own code as the voice.
* ``player``: ``aplay`` (default), ``paplay``, ``sox-play``, ``cmd:COMMAND`` or ``none`` (render only,
  for a machine without audio); see ``devices.speaker.player``.
* ``cache``: where renderings are kept (default ``<data_dir>/speech-cache``), ``cache_mb`` its size.
* ``rate``: words per minute; ``volume``: the default volume restored after each visit (0–1).

``say`` returns at once: a worker thread renders (or finds the cached WAV) and runs the player. A new
``say`` or ``stop`` terminates the running player. Volume is applied when rendering (espeak-ng
amplitude 0–200), so it takes effect from the next utterance. A failed playback does not raise from
``say`` (it happened later, on the worker); it turns ``health()`` to error until a playback succeeds.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from devices.errors import DeviceError, DriverUnavailable
from devices.ports import DeviceURL, Health, Speaker
from devices.speaker import amplitude_for, check_volume
from devices.speaker.player import Player, player_from_config
from devices.speaker.synth import DEFAULT_CACHE_MB, DEFAULT_RATE, SpeechSynth

log = logging.getLogger(__name__)

#: Seconds a player gets to exit after SIGTERM before it is killed.
KILL_AFTER_S = 1.0


@dataclass(frozen=True)
class Playback:
    """One finished playback, without its text: the WAV's file name, exit status, whether cut short."""

    wav: str
    returncode: int | None
    interrupted: bool
    error: str = ""


@dataclass(frozen=True)
class _Job:
    text: str
    language: str
    amplitude: int
    private: bool
    generation: int


class EspeakSpeaker(Speaker):
    def __init__(self, synth: SpeechSynth, player: Player | None, default_volume: float = Speaker.default_volume):
        self.synth = synth
        self.player = player
        self.default_volume = check_volume(default_volume)
        self._volume = self.default_volume
        self._cond = threading.Condition()
        self._pending: _Job | None = None
        self._process: subprocess.Popen | None = None
        self._cut: subprocess.Popen | None = None
        self._busy = False
        self._generation = 0
        self._closed = False
        self._thread: threading.Thread | None = None
        self._last_error = ""
        #: The most recent playbacks, newest last (no text: file names only).
        self.playbacks: deque[Playback] = deque(maxlen=50)
        synth.forget_private()  # left over from a crash

    @classmethod
    def from_url(cls, url: DeviceURL, context) -> "EspeakSpeaker":
        voices = {key[6:]: value for key, value in url.query.items() if key.startswith("voice_") and value}
        rate = _number(url, "rate", DEFAULT_RATE, int)
        volume = _number(url, "volume", Speaker.default_volume, float)
        cache_mb = _number(url, "cache_mb", DEFAULT_CACHE_MB, float)
        cache = Path(url.param("cache") or Path(context.data_dir) / "speech-cache").expanduser()
        player = player_from_config(url.param("player", "aplay"), url.param("audio_device"))
        try:
            synth = SpeechSynth(cache, voices=voices, rate=rate, max_cache_mb=cache_mb)
            check_volume(volume)
        except ValueError as err:
            raise DriverUnavailable(f"speaker: {err}") from None
        except OSError as err:
            raise DriverUnavailable(f"speaker: cannot use speech cache {cache}: {err.strerror}") from None
        for language in synth.voices:
            if not synth.has_voice(language):
                raise DriverUnavailable(
                    f"speaker: espeak-ng has no voice '{synth.voice_for(language)}' for language "
                    f"'{language}' (set voice_{language}=, see 'espeak-ng --voices')"
                )
        return cls(synth, player, default_volume=volume)

    # --- the port ---------------------------------------------------------------------------------

    def say(self, text: str, language: str = "vi", *, private: bool = False) -> None:
        """Start speaking; ``private`` text (a name) is not kept in the cache after it is spoken.

        Raises ``DriverUnavailable`` when there is no voice for ``language``. Blank text only stops.
        """
        if not text or not text.strip():
            self.stop()
            return
        if not self.synth.has_voice(language):
            raise DriverUnavailable(
                f"speaker: espeak-ng has no voice '{self.synth.voice_for(language)}' for language '{language}'"
            )
        with self._cond:
            if self._closed:
                raise DeviceError("speaker: closed")
            self._generation += 1
            self._pending = _Job(text, language, amplitude_for(self._volume), private, self._generation)
            self._interrupt()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="speaker", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._generation += 1
            self._pending = None
            self._interrupt()
            self._cond.notify_all()

    def set_volume(self, volume: float) -> None:
        volume = check_volume(volume)
        with self._cond:
            self._volume = volume

    @property
    def volume(self) -> float:
        return self._volume

    def reset(self) -> None:
        super().reset()
        self.synth.forget_private()

    def health(self) -> Health:
        try:
            return self._health()
        except Exception as err:  # health never raises
            return Health("error", f"speaker: health check failed: {err}")

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._generation += 1
            self._pending = None
            self._interrupt()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=KILL_AFTER_S + 2)
        self.synth.forget_private()

    # --- beyond the port --------------------------------------------------------------------------

    def render(self, text: str, language: str = "vi") -> Path:
        """The cached WAV of ``text`` at the current volume, rendered now if needed."""
        return self.synth.render(text, language, amplitude=amplitude_for(self._volume))

    @property
    def speaking(self) -> bool:
        with self._cond:
            return self._busy or self._pending is not None

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is being rendered or played; ``False`` if ``timeout`` ran out first."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._busy and self._pending is None, timeout)

    # --- the worker ---------------------------------------------------------------------------------

    def _interrupt(self) -> None:
        """Terminate the running player (caller holds the lock)."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        self._cut = process
        process.terminate()
        timer = threading.Timer(KILL_AFTER_S, _kill_if_running, args=(process,))
        timer.daemon = True
        timer.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closed)
                if self._closed:
                    return
                job, self._pending = self._pending, None
                self._busy = True
            try:
                self._speak(job)
            except Exception:  # the worker must survive anything to keep the kiosk talking
                log.exception("speaker: unexpected failure")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _speak(self, job: _Job) -> None:
        if job.amplitude == 0:
            return  # muted
        try:
            wav = self.synth.render(job.text, job.language, amplitude=job.amplitude, keep=not job.private)
        except (DeviceError, ValueError, OSError) as err:
            self._fail(str(err))
            return
        try:
            self._play(job, wav)
        finally:
            if job.private:
                self.synth.forget(wav)

    def _play(self, job: _Job, wav: Path) -> None:
        with self._cond:
            if job.generation != self._generation:
                return  # interrupted while rendering
            if self.player is None:
                self.playbacks.append(Playback(wav.name, None, False))
                return
            try:
                process = subprocess.Popen(
                    self.player.command(wav),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    env=self.player.environment(),
                    start_new_session=True,
                )
            except OSError as err:
                self._fail(f"speaker: cannot start audio player '{self.player.name}': {err.strerror}")
                return
            self._process = process
        _, stderr = process.communicate()
        with self._cond:
            self._process = None
            if process is self._cut:
                self._cut = None
                self.playbacks.append(Playback(wav.name, process.returncode, True))
            elif process.returncode != 0:
                lines = stderr.decode("utf-8", "replace").strip().splitlines()
                detail = lines[-1] if lines else "no message"
                error = f"speaker: audio player '{self.player.name}' failed (exit {process.returncode}): {detail}"
                self.playbacks.append(Playback(wav.name, process.returncode, False, error))
                self._fail(error)
            else:
                self._last_error = ""
                self.playbacks.append(Playback(wav.name, 0, False))

    def _fail(self, message: str) -> None:
        with self._cond:
            self._last_error = message
        log.warning("%s", message)

    def _health(self) -> Health:
        problems = []
        if not Path(self.synth.executable).exists():
            problems.append("espeak-ng is not installed")
        else:
            missing = [
                f"{self.synth.voice_for(lang)} ({lang})"
                for lang in self.synth.voices
                if not self.synth.has_voice(lang, recheck=True)
            ]
            if missing:
                problems.append(f"no espeak-ng voice {', '.join(missing)}")
        if self.player is not None and not self.player.installed():
            problems.append(f"audio player '{self.player.executable}' is missing")
        with self._cond:
            last_error = self._last_error
        if last_error:
            problems.append(f"last playback failed: {last_error.removeprefix('speaker: ')}")
        if problems:
            return Health("error", "; ".join(problems))
        if self.player is None:
            return Health("warning", "renders speech but plays nothing (player=none)")
        return Health("ok", f"espeak-ng, {self.player.name}, voices {', '.join(sorted(self.synth.voices))}")


def _kill_if_running(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()


def _number(url: DeviceURL, name: str, default, kind):
    raw = url.param(name)
    if raw is None or raw == "":
        return default
    try:
        return kind(raw)
    except ValueError:
        raise DriverUnavailable(f"speaker: {name}: must be a number, got {raw!r}") from None
