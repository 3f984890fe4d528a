"""A procedure's guidance clip: pictures of the steps, each with a caption shown large and spoken.

A clip is a folder (``assets/guides/<procedure code>/``) holding ``clip.json`` and its pictures::

    {"steps": [{"image": "01.png", "caption": {"vi": "…", "en": "…"}, "seconds": 5}, …]}

The kiosk has no video stack, so a clip is authored as still pictures with captions: anyone can make
or correct one with an image editor and a text editor. ``load_clip(folder)`` reads and checks a clip
(every picture must open); a missing folder, bad JSON or a missing picture raises ``ClipUnavailable``
with the reason, for the operator's log.

``ClipPlayer`` shows one step at a time: the picture, "Step 2 of 4", and the caption in a band of
high contrast that is always shown (also while paused), in the visit's language. Playing speaks each
caption through the kiosk's speaker and moves on after the step's seconds (a citizen watching counts
as still there for the idle timer); play/pause and replay are large buttons. A clip that cannot be
shown leaves the player with one line, "This guide cannot be shown right now", and the operator gets
one log line per clip folder.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import NumericProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from PIL import Image as PilImage

from devices.errors import DeviceError
from kiosk.i18n import N_

log = logging.getLogger(__name__)

CLIP_FILE = "clip.json"
#: The longest and shortest time a step stays on screen while playing.
MIN_SECONDS, MAX_SECONDS = 1.0, 60.0
MAX_STEPS = 20
#: The largest picture a clip may carry (it is shown on a kiosk screen, not printed).
MAX_IMAGE_BYTES = 2_000_000

UNAVAILABLE = N_("This guide cannot be shown right now. The list above says what to bring.")
STEP_OF = N_("Step {number} of {count}")
PLAY = N_("Play the guide")
PAUSE = N_("Pause")
REPLAY = N_("Start again")

#: Clip folders already reported as unusable: the operator hears of each once, not on every showing.
_reported: set[str] = set()


class ClipUnavailable(Exception):
    """A clip folder that cannot be shown; the message says why, for the operator."""


@dataclass(frozen=True)
class ClipStep:
    image: Path
    caption: dict[str, str]
    seconds: float

    def caption_in(self, language: str) -> str:
        return self.caption.get(language) or self.caption.get("vi") or next(iter(self.caption.values()))


@dataclass(frozen=True)
class GuideClip:
    folder: Path
    steps: tuple[ClipStep, ...]


def load_clip(folder: Path | str) -> GuideClip:
    """The clip in ``folder``, every picture checked; ``ClipUnavailable`` says what is wrong."""
    folder = Path(folder)
    source = folder / CLIP_FILE
    if not source.is_file():
        raise ClipUnavailable(f"{source} is missing")
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ClipUnavailable(f"{source} cannot be read: {err}") from None
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list) or not steps:
        raise ClipUnavailable(f"{source} has no steps")
    if len(steps) > MAX_STEPS:
        raise ClipUnavailable(f"{source} has {len(steps)} steps, at most {MAX_STEPS}")
    return GuideClip(folder, tuple(_step(folder, source, number, step) for number, step in enumerate(steps, 1)))


def _step(folder: Path, source: Path, number: int, step: object) -> ClipStep:
    where = f"{source} step {number}"
    if not isinstance(step, dict):
        raise ClipUnavailable(f"{where} is not an object")
    name, caption, seconds = step.get("image"), step.get("caption"), step.get("seconds", 5)
    if not isinstance(name, str) or not name or Path(name).name != name:
        raise ClipUnavailable(f"{where}: image must be a file name inside the clip folder")
    if not isinstance(caption, dict) or not caption or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in caption.items()
    ):
        raise ClipUnavailable(f"{where}: caption must map languages to text")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise ClipUnavailable(f"{where}: seconds must be {MIN_SECONDS:g} to {MAX_SECONDS:g}")
    image = folder / name
    if not image.is_file():
        raise ClipUnavailable(f"{where}: picture {image} is missing")
    if image.stat().st_size > MAX_IMAGE_BYTES:
        raise ClipUnavailable(f"{where}: picture {image} is over {MAX_IMAGE_BYTES} bytes")
    try:
        with PilImage.open(image) as picture:
            picture.verify()
    except Exception as err:  # Pillow raises many kinds for a damaged file
        raise ClipUnavailable(f"{where}: picture {image} cannot be opened: {err}") from None
    return ClipStep(image, {k: v.strip() for k, v in caption.items()}, float(seconds))


def clip_or_none(folder: Path | str | None) -> GuideClip | None:
    """The clip in ``folder``, or ``None`` (logged once per folder) when it cannot be shown."""
    if folder is None:
        return None
    try:
        return load_clip(folder)
    except ClipUnavailable as err:
        key = str(folder)
        if key not in _reported:
            _reported.add(key)
            log.warning("guidance clip not shown: %s", err)
        return None


def load_kv() -> None:
    """Load this module's .kv rules once (the screens with a player call it before building their layout)."""
    from kivy.lang import Builder

    path = str(Path(__file__).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)


class ClipMissing(BoxLayout):
    """The one line shown instead of a clip that cannot be shown."""

    message = StringProperty(UNAVAILABLE)


class ClipView(BoxLayout):
    """The picture, the step number, the caption band and the buttons of a player with a clip."""

    player = ObjectProperty(None, allownone=True, rebind=True)


class ClipPlayer(BoxLayout):
    """Plays a ``GuideClip``; ``state`` is "empty" (no clip), "unavailable", "paused", "playing" or "ended"."""

    state = OptionProperty("empty", options=("empty", "unavailable", "paused", "playing", "ended"))
    #: The step on screen (0-based), how many there are, its picture and caption in the visit's language.
    index = NumericProperty(0)
    count = NumericProperty(0)
    image = StringProperty("")
    caption = StringProperty("")

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.clip: GuideClip | None = None
        self._next = None
        self.view = ClipView(player=self)
        self.missing = ClipMissing()
        app = App.get_running_app()
        if app is not None:
            app.bind(language=lambda *_a: self._caption())

    # --- what the page calls --------------------------------------------------------------------

    def load(self, folder: Path | str | None) -> None:
        """Show the clip in ``folder`` at its first step, paused; ``None`` empties the player."""
        self.stop()
        self.clip = clip_or_none(folder)
        if self.clip is None:
            self.state = "empty" if folder is None else "unavailable"
            self.count = self.index = 0
            self.image = self.caption = ""
            return
        self.count = len(self.clip.steps)
        self._show(0)
        self.state = "paused"

    def toggle(self) -> None:
        """The play/pause button."""
        if self.state == "playing":
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if self.clip is None:
            return
        if self.state == "ended":
            self._show(0)
        self.state = "playing"
        self._play_step()

    def pause(self) -> None:
        if self.state != "playing":
            return
        self._cancel()
        self.state = "paused"
        self._hush()

    def replay(self) -> None:
        if self.clip is None:
            return
        self._cancel()
        self._show(0)
        self.state = "playing"
        self._play_step()

    def stop(self) -> None:
        """Leaving the page: stop moving on (the next screen's guidance takes over the speaker)."""
        self._cancel()
        if self.state == "playing":
            self.state = "paused"

    # --- inside ---------------------------------------------------------------------------------

    def on_state(self, _player, state: str) -> None:
        shown = {"empty": None, "unavailable": self.missing}.get(state, self.view)
        if shown is None:
            self.clear_widgets()
        elif shown.parent is not self:
            self.clear_widgets()
            self.add_widget(shown)

    def _play_step(self) -> None:
        step = self.clip.steps[self.index]
        app = App.get_running_app()
        if app is not None:
            idle = getattr(app, "idle", None)
            if idle is not None:  # a citizen watching the guide is still at the kiosk
                idle.touch()
            if self.caption:
                app.say_text(self.caption)
        self._cancel()
        self._next = Clock.schedule_once(lambda _dt: self._advance(), step.seconds)

    def _advance(self) -> None:
        self._next = None
        if self.state != "playing" or self.clip is None:
            return
        if self.index + 1 >= self.count:
            self.state = "ended"
            return
        self._show(self.index + 1)
        self._play_step()

    def _show(self, index: int) -> None:
        self.index = index
        self.image = str(self.clip.steps[index].image)
        self._caption()

    def _caption(self) -> None:
        if self.clip is None:
            return
        app = App.get_running_app()
        language = app.language if app is not None else "vi"
        self.caption = self.clip.steps[self.index].caption_in(language)

    def _cancel(self) -> None:
        if self._next is not None:
            self._next.cancel()
            self._next = None

    def _hush(self) -> None:
        app = App.get_running_app()
        speaker = app.kiosk.devices.speaker if app is not None else None
        if speaker is None:
            return
        try:
            speaker.stop()
        except DeviceError as err:
            log.warning("speaker stop failed: %s", err)
