"""The simulated speaker: remembers what it was asked to say, in memory only.

URL: ``sim://?wpm=150&volume=0.8&languages=vi,en``

Each ``say`` is kept in ``utterances`` (text, language, volume, when, how long it would last, whether
a later ``say`` or ``stop`` cut it short). An utterance lasts as long as espeak-ng would take at
``wpm`` words per minute (at least half a second). Utterances may contain names, so they never go
to disk or to logs; the record holds the latest 1000, and ``reset()`` (end of a visit) drops the
``private`` ones.

``languages`` limits the voices, as a real speaker without a voice would: ``say`` in another
language raises ``DriverUnavailable``. Faults:

* ``set_fault("no_audio")``: the loudspeaker is gone; ``health()`` is error and every ``say`` raises
  ``DeviceDisconnected`` (nothing recorded) until ``clear_fault()``.
* ``fail_next(error)``: only the next ``say`` raises ``error`` (default ``DeviceDisconnected``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from devices.errors import DeviceDisconnected, DeviceError, DriverUnavailable
from devices.ports import DeviceURL, Health, Speaker
from devices.speaker import check_volume

FAULTS = ("no_audio",)
MIN_DURATION_S = 0.5


@dataclass(frozen=True)
class Utterance:
    text: str
    language: str
    volume: float
    #: Wall-clock time the utterance started (``time.time()``).
    at: float
    duration_s: float
    private: bool = False
    interrupted: bool = False


class SimulatedSpeaker(Speaker):
    def __init__(
        self,
        wpm: int = 150,
        languages: tuple[str, ...] | None = None,
        default_volume: float = Speaker.default_volume,
        clock: Callable[[], float] = time.monotonic,
    ):
        if not 80 <= wpm <= 450:
            raise ValueError(f"wpm must be 80 to 450 words per minute, got {wpm}")
        self.wpm = wpm
        self.languages = tuple(languages) if languages else None
        self.default_volume = check_volume(default_volume)
        self._volume = self.default_volume
        self._clock = clock
        self._cond = threading.Condition()
        self._records: deque[Utterance] = deque(maxlen=1000)
        self._ends_at = 0.0
        self._count = 0
        self._fault: str | None = None
        self._next_error: DeviceError | None = None

    @classmethod
    def from_url(cls, url: DeviceURL, context) -> "SimulatedSpeaker":
        try:
            wpm = int(url.param("wpm", "150"))
            volume = float(url.param("volume", str(Speaker.default_volume)))
            check_volume(volume)
            languages = tuple(x.strip() for x in url.param("languages", "").split(",") if x.strip())
            return cls(wpm=wpm, languages=languages or None, default_volume=volume)
        except ValueError as err:
            raise DriverUnavailable(f"speaker: {url.raw}: {err}") from None

    # --- the port ---------------------------------------------------------------------------------

    def say(self, text: str, language: str = "vi", *, private: bool = False) -> None:
        if not text or not text.strip():
            self.stop()
            return
        with self._cond:
            if self._fault == "no_audio":
                raise DeviceDisconnected("speaker: no audio output (simulated fault)")
            if self._next_error is not None:
                error, self._next_error = self._next_error, None
                raise error
            if self.languages is not None and language not in self.languages:
                raise DriverUnavailable(f"speaker: no voice for language '{language}'")
            now = self._clock()
            self._cut_short(now)
            duration = max(MIN_DURATION_S, len(text.split()) * 60.0 / self.wpm)
            self._records.append(
                Utterance(text.strip(), language, self._volume, time.time(), duration, private=private)
            )
            self._ends_at = now + duration
            self._count += 1
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._cut_short(self._clock())
            self._ends_at = 0.0

    def set_volume(self, volume: float) -> None:
        volume = check_volume(volume)
        with self._cond:
            self._volume = volume

    def reset(self) -> None:
        super().reset()
        with self._cond:
            kept = [u for u in self._records if not u.private]
            self._records.clear()
            self._records.extend(kept)

    def health(self) -> Health:
        with self._cond:
            if self._fault == "no_audio":
                return Health("error", "no audio output (simulated fault)")
        return Health("ok", "simulated speaker")

    # --- what tests look at -----------------------------------------------------------------------

    @property
    def utterances(self) -> list[Utterance]:
        with self._cond:
            return list(self._records)

    def said(self, language: str | None = None) -> list[str]:
        """The texts spoken so far, oldest first, optionally only those in ``language``."""
        return [u.text for u in self.utterances if language is None or u.language == language]

    @property
    def volume(self) -> float:
        return self._volume

    @property
    def speaking(self) -> bool:
        with self._cond:
            return self._clock() < self._ends_at

    def wait_utterances(self, count: int, timeout: float | None = None) -> bool:
        """Block until ``count`` utterances have been said since start; ``False`` on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._count >= count, timeout)

    def clear(self) -> None:
        with self._cond:
            self._records.clear()

    # --- faults -----------------------------------------------------------------------------------

    def set_fault(self, fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown speaker fault {fault!r} (expected one of {', '.join(FAULTS)})")
        with self._cond:
            self._fault = fault
            self._cut_short(self._clock())
            self._ends_at = 0.0

    def clear_fault(self) -> None:
        with self._cond:
            self._fault = None
            self._next_error = None

    def fail_next(self, error: DeviceError | None = None) -> None:
        with self._cond:
            self._next_error = error or DeviceDisconnected("speaker: lost the audio output (simulated)")

    def _cut_short(self, now: float) -> None:
        if self._records and now < self._ends_at and not self._records[-1].interrupted:
            self._records[-1] = replace(self._records[-1], interrupted=True)
