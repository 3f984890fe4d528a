"""Offline speech synthesis with espeak-ng, cached as WAV files.

Kivy-free and device-free, so the central service's lobby display can produce the same audio as the
kiosk ("Mời số A012 đến quầy 9")::

    synth = SpeechSynth(Path("/var/lib/kiosk/speech-cache"))
    wav = synth.render("Mời số A012 đến quầy 9", "vi")

A rendering is cached under a hash of (voice, rate, amplitude, text), so a prompt is synthesised once
and replayed from disk. Text holding personal data (a citizen's name) is rendered with
``keep=False`` into ``private/`` instead; the caller deletes it after playing (``forget``). The text
itself never goes into a log line or a file name.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import uuid
import wave
from pathlib import Path

from devices.errors import DeviceError, DriverUnavailable

log = logging.getLogger(__name__)

ESPEAK = "espeak-ng"
#: espeak-ng voice per language unless configured otherwise; other languages use their own code.
DEFAULT_VOICES = {"vi": "vi", "en": "en"}
#: Words per minute. espeak-ng's own default (175) is fast for elderly listeners.
DEFAULT_RATE = 150
#: espeak-ng amplitude 0–200; 100 is its normal loudness.
DEFAULT_AMPLITUDE = 100
DEFAULT_CACHE_MB = 200
RENDER_TIMEOUT_S = 30.0
PRIVATE_DIR = "private"
_PRUNE_EVERY = 50


def espeak_path() -> str:
    """The espeak-ng executable; ``DriverUnavailable`` when it is not installed."""
    path = shutil.which(ESPEAK)
    if path is None:
        raise DriverUnavailable("speaker: espeak-ng is not installed (Debian package 'espeak-ng')")
    return path


def voice_exists(voice: str, executable: str | None = None) -> bool:
    """Whether espeak-ng accepts ``voice`` (a language such as ``vi`` or a name such as ``vi-vn-x-south``)."""
    try:
        done = subprocess.run(
            [executable or espeak_path(), "-q", "-v", voice, "."],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=RENDER_TIMEOUT_S,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and b"does not exist" not in done.stderr


def wav_duration(path: Path) -> float:
    """Length of a WAV file in seconds."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / float(wav.getframerate())


class SpeechSynth:
    """Renders text to WAV files with espeak-ng and keeps them in ``cache_dir``. Thread-safe."""

    def __init__(
        self,
        cache_dir: Path,
        voices: dict[str, str] | None = None,
        rate: int = DEFAULT_RATE,
        max_cache_mb: float = DEFAULT_CACHE_MB,
        executable: str | None = None,
    ):
        if not 80 <= rate <= 450:
            raise ValueError(f"speech rate must be 80 to 450 words per minute, got {rate}")
        self.executable = executable or espeak_path()
        self.cache_dir = Path(cache_dir)
        self.voices = {**DEFAULT_VOICES, **(voices or {})}
        self.rate = rate
        self.max_cache_bytes = int(max_cache_mb * 1024 * 1024)
        self._lock = threading.Lock()
        self._renders = 0
        self._checked: dict[str, bool] = {}
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.private_dir.mkdir(exist_ok=True)

    @property
    def private_dir(self) -> Path:
        return self.cache_dir / PRIVATE_DIR

    def voice_for(self, language: str) -> str:
        return self.voices.get(language, language)

    def has_voice(self, language: str, *, recheck: bool = False) -> bool:
        """Whether espeak-ng has the voice for ``language``; remembered unless ``recheck``."""
        voice = self.voice_for(language)
        with self._lock:
            known = None if recheck else self._checked.get(voice)
        if known is None:
            known = voice_exists(voice, self.executable)
            with self._lock:
                self._checked[voice] = known
        return known

    def cache_path(self, text: str, language: str, amplitude: int = DEFAULT_AMPLITUDE) -> Path:
        key = "\0".join((self.voice_for(language), str(self.rate), str(amplitude), text.strip()))
        return self.cache_dir / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + ".wav")

    def render(
        self, text: str, language: str = "vi", *, amplitude: int = DEFAULT_AMPLITUDE, keep: bool = True
    ) -> Path:
        """The WAV file speaking ``text``; synthesised now unless already cached.

        Raises ``ValueError`` for blank text or an amplitude outside 0–200, ``DriverUnavailable``
        when there is no voice for ``language`` and ``DeviceError`` when espeak-ng fails.
        """
        text = text.strip()
        if not text:
            raise ValueError("nothing to say: the text is blank")
        if not 0 <= amplitude <= 200:
            raise ValueError(f"amplitude must be 0 to 200, got {amplitude}")
        if keep:
            target = self.cache_path(text, language, amplitude)
            if target.exists():
                try:
                    os.utime(target)  # most recently used files survive pruning
                except OSError:
                    pass
                return target
        else:
            target = self.private_dir / f"{uuid.uuid4().hex}.wav"
        if not self.has_voice(language):
            raise DriverUnavailable(
                f"speaker: espeak-ng has no voice '{self.voice_for(language)}' for language '{language}'"
            )
        self._synthesise(text, self.voice_for(language), amplitude, target)
        if keep:
            self._maybe_prune()
        return target

    def forget(self, path: Path) -> None:
        """Delete a private rendering (``keep=False``); cached prompts are left alone."""
        path = Path(path)
        if path.parent == self.private_dir:
            path.unlink(missing_ok=True)

    def forget_private(self) -> int:
        """Delete every private rendering (end of a visit, start-up); returns how many."""
        count = 0
        for path in self.private_dir.glob("*.wav"):
            path.unlink(missing_ok=True)
            count += 1
        return count

    def _synthesise(self, text: str, voice: str, amplitude: int, target: Path) -> None:
        fd, tmp_name = tempfile.mkstemp(prefix=".render-", suffix=".wav", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        command = [self.executable, "-b", "1", "-v", voice, "-s", str(self.rate), "-a", str(amplitude),
                   "-w", str(tmp), "--stdin"]
        try:
            try:
                done = subprocess.run(
                    command, input=text.encode("utf-8"), capture_output=True, timeout=RENDER_TIMEOUT_S
                )
            except subprocess.TimeoutExpired as err:
                raise DeviceError(f"speaker: espeak-ng took longer than {RENDER_TIMEOUT_S:g} s") from err
            except OSError as err:
                raise DriverUnavailable(f"speaker: cannot run espeak-ng: {err.strerror}") from err
            if done.returncode != 0:
                detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
                raise DeviceError(f"speaker: espeak-ng failed (exit {done.returncode}): {detail[0]}")
            try:
                seconds = wav_duration(tmp)
            except (wave.Error, EOFError, OSError) as err:
                raise DeviceError(f"speaker: espeak-ng wrote no valid WAV: {err}") from err
            if seconds <= 0:
                raise DeviceError("speaker: espeak-ng produced no audio")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        log.debug("rendered speech %s with voice %s", target.name, voice)

    def _maybe_prune(self) -> None:
        with self._lock:
            self._renders += 1
            due = self._renders % _PRUNE_EVERY == 1
        if due:
            self.prune()

    def prune(self) -> int:
        """Delete the least recently used renderings until the cache fits; returns how many."""
        entries = []
        for path in self.cache_dir.glob("*.wav"):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, path in sorted(entries, key=lambda e: e[0]):
            if total <= self.max_cache_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        if removed:
            log.info("speech cache: removed %d old renderings", removed)
        return removed
