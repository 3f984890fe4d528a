"""A cold start, measured from inside: ``python -m screens.startup_probe bare|kiosk DATA_DIR [--walk]``.

``kiosk bench ui`` starts this in a fresh process. ``bare`` opens a plain Kivy window with one label
(the baseline: what any Kivy app pays); ``kiosk`` builds the kiosk on its simulators (offline: the
central service is not reachable, as on a morning with no network) and opens the kiosk's window. The
first frame on screen is noted by the window's ``on_flip``; with ``--walk`` every registered screen
is then shown once, a frame each, so the memory figure includes every screen built. Prints one JSON
line: the wall-clock time of the first frame (``time.time()``, the parent subtracts its spawn time),
the peak resident memory at the first frame and after the walk, and the screens shown.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    mode, data_dir = argv[0], Path(argv[1])
    walk = "--walk" in argv[2:]
    from kiosk import config as kiosk_config
    from screens import window

    config = kiosk_config.load(None, overrides={
        "kiosk": {"data_dir": str(data_dir / "data"), "fullscreen": False},
        "central": {"url": "http://127.0.0.1:9", "embedded": False, "connect_timeout_s": 0.5},
    })
    window.configure(config.kiosk, headless=True, kivy_home=str(data_dir / "kivy"), locked=False, quiet=True)
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window

    kiosk = None
    if mode == "bare":
        from kivy.uix.label import Label

        class Bare(App):
            def build(self):
                return Label(text="Một Cửa Kiosk", font_size=48)

        app = Bare()
    else:
        from kiosk.wiring import build
        from screens.app import KioskApp

        kiosk = build(config)
        app = KioskApp(kiosk)

    result: dict = {"mode": mode}
    names = list(app.registry.names()) if walk and mode == "kiosk" else []

    def first_frame(*_args) -> None:
        Window.unbind(on_flip=first_frame)
        result["first_frame_at"] = time.time()
        result["first_frame_peak_mb"] = round(peak_mb(), 1)
        result["window"] = list(Window.size)
        if names:
            Window.bind(on_flip=next_screen)
            next_screen()
        else:
            Clock.schedule_once(lambda _dt: app.stop(), 0)

    shown: list[str] = []

    def next_screen(*_args) -> None:
        if not names:
            Window.unbind(on_flip=next_screen)
            result["walk_peak_mb"] = round(peak_mb(), 1)
            Clock.schedule_once(lambda _dt: app.stop(), 0)
            return
        name = names.pop(0)
        Clock.schedule_once(lambda _dt: _show(app, name, shown), 0)

    Window.bind(on_flip=first_frame)
    try:
        app.run()
    finally:
        if kiosk is not None:
            kiosk.close()
    result["screens_shown"] = shown
    print(json.dumps(result), flush=True)
    return 0


def _show(app, name: str, shown: list[str]) -> None:
    try:
        app.go(name)
        shown.append(name)
    except Exception as err:  # a screen that cannot show without parameters is reported, not fatal here
        shown.append(f"{name}: {type(err).__name__}")
    app.root.canvas.ask_update()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
