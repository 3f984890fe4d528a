"""Set up Kivy for the kiosk before it opens its window.

Kivy reads its environment when it is imported and its window settings when the window is created,
so ``configure`` must run first: the CLI calls it at the top of ``kiosk demo`` and the UI tests at the
start of their session. The window is portrait at the configured size, fullscreen on a kiosk, and
without a display (``headless``) it is drawn offscreen by Mesa.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def configure(
    kiosk_config,
    *,
    headless: bool,
    kivy_home: str | None = None,
    locked: bool | None = None,
    quiet: bool = False,
) -> None:
    """Prepare Kivy for a window of ``kiosk_config``'s size; offscreen when ``headless``.

    A ``locked`` window (by default: a fullscreen one) offers no key to leave it and hides the
    pointer; the demo keeps Escape working so a developer can close it. ``quiet`` keeps Kivy's own
    start-up chatter out of the log (its errors still show).
    """
    if "kivy.core.window" in sys.modules:
        raise RuntimeError("screens.window.configure() must run before Kivy opens its window")
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    if kivy_home or "KIVY_HOME" not in os.environ:
        os.environ["KIVY_HOME"] = kivy_home or tempfile.mkdtemp(prefix="kiosk-kivy-")

    if quiet:
        logging.disable(logging.WARNING)
    try:
        from kivy.config import Config
    finally:
        if quiet:
            logging.disable(logging.NOTSET)
            logging.getLogger("kivy").setLevel(logging.ERROR)

    fullscreen = kiosk_config.fullscreen and not headless
    locked = fullscreen if locked is None else locked
    Config.set("graphics", "width", str(kiosk_config.screen_width_px))
    Config.set("graphics", "height", str(kiosk_config.screen_height_px))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    Config.set("graphics", "show_cursor", "0" if locked else "1")
    # A citizen must not be able to leave the kiosk with a key; a developer's window may.
    Config.set("kivy", "exit_on_escape", "0" if locked else "1")
    Config.set("kivy", "keyboard_mode", "system")
    # Offscreen drawing is done by the CPU (Mesa llvmpipe): no multisampling there.
    Config.set("graphics", "multisamples", "0" if headless else "2")
    # No red multitouch dots from right clicks.
    Config.set("input", "mouse", "mouse,multitouch_on_demand")
