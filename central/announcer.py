"""The lobby's sounds: a two-tone chime and the spoken call "Mời số A012 đến quầy 9".

Both are made on the server, offline: the chime is synthesised here on first use (plain sine tones with
a bell-like decay) and kept as a WAV file; calls are spoken by espeak-ng through the kiosk's
``SpeechSynth`` and cached per (number, counter), so each is rendered once however many displays play
it. Ticket letters are said by name and digits one by one ("A không một hai"), as people read them
off the slip; the counter is said as a number ("quầy mười hai").
"""

from __future__ import annotations

import io
import math
import os
import re
import struct
import tempfile
import threading
import wave
from pathlib import Path

NUMBER = re.compile(r"^[A-Za-z0-9-]{1,24}$")
COUNTER = re.compile(r"^[A-Za-z0-9]{1,8}$")
DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
RATE = 22050
#: (frequency Hz, start s, length s) of the chime's two notes: E6 then C6, a "ding-dong".
NOTES = ((1318.5, 0.0, 0.9), (1046.5, 0.45, 1.1))


def call_text(number: str, counter: str) -> str:
    """What the display shows for a call."""
    return f"Mời số {number} đến quầy {counter}"


def spoken_text(number: str, counter: str) -> str:
    """What espeak-ng is given for a call: digits of the ticket said one by one."""
    words = []
    for part in number.upper().replace("-", " ").split():
        for char in part:
            words.append(DIGITS[int(char)] if char.isdigit() else char)
    return f"Mời số {' '.join(words)}, đến quầy {counter.upper()}"


def chime_samples(rate: int = RATE) -> list[int]:
    length = max(start + seconds for _, start, seconds in NOTES) + 0.05
    samples = [0.0] * int(length * rate)
    for frequency, start, seconds in NOTES:
        first = int(start * rate)
        for i in range(int(seconds * rate)):
            t = i / rate
            envelope = math.exp(-4.0 * t) * min(1.0, t / 0.005)  # 5 ms attack, then a bell's decay
            wave_value = (math.sin(2 * math.pi * frequency * t) + 0.35 * math.sin(4 * math.pi * frequency * t)
                          + 0.12 * math.sin(6 * math.pi * frequency * t))
            samples[first + i] += envelope * wave_value
    peak = max(abs(s) for s in samples) or 1.0
    return [int(s / peak * 0.7 * 32767) for s in samples]


def chime_wav(rate: int = RATE) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        samples = chime_samples(rate)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return buffer.getvalue()


class Announcer:
    """Makes and keeps the lobby's sounds under ``directory``."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._synth = None

    @property
    def chime_path(self) -> Path:
        return self.directory / "chime.wav"

    def chime(self) -> Path:
        """The chime's WAV file, made the first time it is asked for."""
        with self._lock:
            if not self.chime_path.exists():
                self.directory.mkdir(parents=True, exist_ok=True)
                fd, name = tempfile.mkstemp(prefix=".chime-", suffix=".wav", dir=self.directory)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(chime_wav())
                os.replace(name, self.chime_path)
        return self.chime_path

    def synth(self):
        """The espeak-ng renderer; ``DriverUnavailable`` when espeak-ng is not installed."""
        with self._lock:
            if self._synth is None:
                from devices.speaker.synth import SpeechSynth

                self._synth = SpeechSynth(self.directory / "speech")
            return self._synth

    def speech(self, number: str, counter: str) -> Path:
        """The WAV file saying the call; ``ValueError`` for a malformed number or counter, the speaker's
        ``DriverUnavailable`` / ``DeviceError`` when espeak-ng cannot render it."""
        if not NUMBER.match(number) or not COUNTER.match(counter):
            raise ValueError("not a ticket number and counter")
        return self.synth().render(spoken_text(number, counter), "vi")

    def prepare(self, _center: str, calls: list[dict]) -> None:
        """Render new calls ahead of the displays asking for them (errors are the displays' to see)."""
        for call in calls:
            try:
                self.speech(call["number"], call["counter"])
            except Exception:
                return
