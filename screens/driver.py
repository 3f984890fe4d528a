"""Drive the kiosk app in this process without its main loop: real touches, frames, screenshots.

Used by the headless ``kiosk demo`` and by the UI tests. The app is started the way Kivy embeds an
app (``runTouchApp(root, embedded=True)``) and every frame is advanced by hand, so a scripted visit
reads as plain sequential code. Touches are real motion events (``kivy.tests.common.UnitTestTouch``)
sent through the window at a widget's centre: a widget that is hidden, disabled or covered does not
react, just as it would not for a citizen.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path


class DriverError(Exception):
    """A scripted step could not be carried out (no such widget, nothing happened)."""


class ScreenDriver:
    def __init__(self, app):
        self.app = app
        self.started = False

    @property
    def window(self):
        from kivy.core.window import Window

        return Window

    def start(self) -> "ScreenDriver":
        from kivy.base import runTouchApp

        root = self.app.build()
        self.app.root = root
        runTouchApp(root, embedded=True)
        self.app.dispatch("on_start")
        self.started = True
        self.frames(3)
        return self

    def stop(self) -> None:
        if not self.started:
            return
        from kivy.base import stopTouchApp

        self.app.dispatch("on_stop")
        stopTouchApp()
        if self.app.root is not None and self.app.root.parent is not None:
            self.window.remove_widget(self.app.root)
        self.started = False

    def frames(self, count: int = 2) -> None:
        from kivy.base import EventLoop

        for _ in range(count):
            EventLoop.idle()

    def wait_until(self, condition, timeout_s: float = 5.0) -> bool:
        """Run frames until ``condition()`` holds (for work done on other threads)."""
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                return False
            self.frames(1)
            time.sleep(0.01)
        return True

    # --- finding and touching ---------------------------------------------------------------------

    def widgets(self):
        for child in list(self.window.children):
            yield from child.walk(restrict=True)

    def find(self, tag: str):
        """The widget on screen tagged ``tag`` (see ``screens.widgets.Pressable.tag``)."""
        for widget in self.widgets():
            if getattr(widget, "tag", None) == tag:
                return widget
        raise DriverError(f"nothing tagged {tag!r} on the {self.app.current!r} screen")

    def tap(self, target) -> None:
        """Touch ``target`` (a widget or a tag) at its centre and lift the finger.

        The touch waits for the widget to stop moving: a screen just shown lays its rows out over a
        few frames (wrapped text grows them), and a button that moves away under a finger before it
        is lifted is not pressed, for a citizen as for this driver.
        """
        widget = self.find(target) if isinstance(target, str) else target
        self.settle(widget)
        if isinstance(target, str) and widget.get_root_window() is None:
            widget = self.find(target)  # the screen rebuilt its rows meanwhile
        x, y = widget.to_window(*widget.center)
        self.tap_at(x, y)

    def settle(self, widget, steady_frames: int = 2, most_frames: int = 60) -> int:
        """Run frames until ``widget``'s place in the window is the same ``steady_frames`` frames running.

        Returns the frames it took; gives up quietly after ``most_frames`` (an animated widget never
        settles; touching it then is what a citizen would do).
        """
        last, steady = None, 0
        for count in range(most_frames):
            place = (*widget.to_window(*widget.pos), *widget.size)
            steady = steady + 1 if place == last else 0
            if steady >= steady_frames:
                return count
            last = place
            self.frames(1)
        return most_frames

    def tap_at(self, x: float, y: float) -> None:
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.frames(1)
        touch.touch_up()
        self.frames(1)

    # --- pictures ---------------------------------------------------------------------------------

    def screenshot(self, path: str | Path) -> Path:
        """Save what the window shows now as a PNG at ``path``."""
        path = Path(path).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.window.canvas.ask_update()
        self.frames(1)
        written = self.window.screenshot(name=str(path))
        if not written:
            raise DriverError(f"the window could not save a screenshot to {path}")
        shutil.move(written, path)
        return path
