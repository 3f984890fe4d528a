"""Speech output: ``sim://`` records utterances, ``espeak://`` speaks offline with espeak-ng.

The synthesis itself (``devices.speaker.synth``) is usable without a speaker device, e.g. by the
central service's lobby display. Both drivers take the volume as 0.0–1.0; espeak-ng gets it as its
amplitude (0–200) when rendering.
"""

from __future__ import annotations

import math


def check_volume(volume: float) -> float:
    """``volume`` as a float in 0.0–1.0; ``ValueError`` otherwise."""
    if isinstance(volume, bool) or not isinstance(volume, (int, float)) or not math.isfinite(volume):
        raise ValueError(f"volume must be a number from 0.0 to 1.0, got {volume!r}")
    if not 0.0 <= volume <= 1.0:
        raise ValueError(f"volume must be from 0.0 to 1.0, got {volume!r}")
    return float(volume)


def amplitude_for(volume: float) -> int:
    """espeak-ng amplitude (0–200, 100 its normal loudness) for a volume of 0.0–1.0."""
    return round(check_volume(volume) * 200)
