"""Audio players: the program that sends a rendered WAV file to the loudspeaker.

Chosen by the speaker URL's ``player`` parameter:

==============  ==============================================  ==========================
``aplay``       ALSA, ``aplay -q [-D DEVICE] FILE``              Debian ``alsa-utils``
``paplay``      PulseAudio/PipeWire, ``paplay [--device=D] F``   Debian ``pulseaudio-utils``
``sox-play``    sox, ``play -q FILE`` (``AUDIODEV=DEVICE``)      Debian ``sox``
``cmd:LINE``    any command line; ``{wav}`` marks the file        —
``none``        render only, for machines without audio         —
==============  ==============================================  ==========================

``audio_device`` names the output (``hw:1,0``, a PulseAudio sink); without it the system default
plays. A configured player that is not installed is a start-up error, never a silent ``none``.
"""

from __future__ import annotations

import os
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from devices.errors import DriverUnavailable

WAV = "{wav}"
PLAYERS = ("aplay", "paplay", "sox-play", "none")
PACKAGES = {"aplay": "alsa-utils", "paplay": "pulseaudio-utils", "play": "sox"}


@dataclass(frozen=True)
class Player:
    """A resolved player: its command line with ``{wav}`` where the file goes, and extra environment."""

    name: str
    argv: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def executable(self) -> str:
        return self.argv[0]

    def command(self, wav: Path) -> list[str]:
        return [str(wav) if arg == WAV else arg for arg in self.argv]

    def environment(self) -> dict[str, str] | None:
        return {**os.environ, **self.env} if self.env else None

    def installed(self) -> bool:
        return _find(self.executable) is not None


def _find(program: str) -> str | None:
    if os.sep in program:
        return program if os.access(program, os.X_OK) else None
    return shutil.which(program)


def player_from_config(spec: str, audio_device: str | None = None) -> Player | None:
    """The player for a ``player=`` value; ``None`` for ``none``.

    Raises ``DriverUnavailable`` for an unknown name or a player that is not installed.
    """
    spec = spec.strip()
    if spec == "none":
        return None
    env: dict[str, str] = {}
    if spec == "aplay":
        argv = ["aplay", "-q", *(["-D", audio_device] if audio_device else []), WAV]
    elif spec == "paplay":
        argv = ["paplay", *([f"--device={audio_device}"] if audio_device else []), WAV]
    elif spec == "sox-play":
        argv = ["play", "-q", WAV]
        if audio_device:
            env["AUDIODEV"] = audio_device
    elif spec.startswith("cmd:"):
        try:
            argv = shlex.split(spec[4:])
        except ValueError as err:
            raise DriverUnavailable(f"speaker: player command {spec[4:]!r} cannot be read: {err}") from None
        if not argv:
            raise DriverUnavailable("speaker: player=cmd: needs a command line, e.g. 'cmd:mpv --no-video {wav}'")
        if WAV not in argv:
            argv.append(WAV)
    else:
        known = ", ".join([*PLAYERS, "cmd:COMMAND"])
        raise DriverUnavailable(f"speaker: unknown player '{spec}' (expected one of {known})")
    resolved = _find(argv[0])
    if resolved is None:
        package = PACKAGES.get(argv[0])
        hint = f" (Debian package '{package}')" if package else ""
        raise DriverUnavailable(
            f"speaker: audio player '{argv[0]}' is not installed{hint}; set player=none to render without sound"
        )
    return Player(name=spec.split(":", 1)[0], argv=(resolved, *argv[1:]), env=env)
