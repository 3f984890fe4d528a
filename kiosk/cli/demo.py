"""``kiosk demo``: run the kiosk on simulators, in a window or headless through a scripted visit.

The demo runs in a fresh temporary data directory, with the central service embedded on SQLite
there when the configuration says ``central.embedded = true`` (the default). In a window it is the kiosk as a citizen sees it.
Without a display (or with ``--headless``) it draws offscreen, walks the scripted visit of
``screens.demo_script`` with real touches, and writes a screenshot of every screen it passes plus
everything the printer printed (``.bin`` and ``.png``) into ``--out``; then it prints a summary.
This module only parses, builds and reports: everything Kivy happens in ``screens``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

MARKER = ".kiosk-demo"
OUTPUT_SUFFIXES = (".png", ".bin", ".txt")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the kiosk on simulators: in a window, or headless through a scripted visit",
        description=(
            "Run the kiosk on simulators in a fresh temporary data folder, with the central service embedded "
            "on SQLite when central.embedded is true. With a display it opens the kiosk window; without one "
            "(or with --headless) it walks a scripted visit with real touches and writes a screenshot of every "
            "screen and everything printed into --out, then prints a summary."
        ),
    )
    parser.add_argument("--config", metavar="FILE", help="kiosk configuration (TOML); default: built-in simulators")
    parser.add_argument("--out", metavar="DIR", default="demo-output", help="where the headless visit writes (default: %(default)s)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--headless", action="store_true", help="draw offscreen and run the scripted visit")
    mode.add_argument("--window", action="store_true", help="open a window (needs $DISPLAY or $WAYLAND_DISPLAY)")
    parser.set_defaults(handler=run)


def prepare_output(out: Path) -> None:
    """Create ``out``; empty it of an earlier demo's files (only in a folder the demo made)."""
    from kiosk.cli import UsageError

    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: is a file, not a folder")
    # Sub-folders belong to other writers (test screenshots of other flows); only loose files are the demo's.
    if out.is_dir() and any(p.is_file() for p in out.iterdir()) and not (out / MARKER).exists():
        raise UsageError(f"--out {out}: folder has files the demo did not write; choose an empty or new folder")
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by kiosk demo; its files are replaced on every run\n", encoding="utf-8")
    for old in out.iterdir():
        if old.is_file() and old.suffix in OUTPUT_SUFFIXES:
            old.unlink()


def collect_printouts(kiosk, out: Path) -> list[Path]:
    """Copy every job the simulated printer received (``.bin``) and its rendering (``.png``)."""
    from devices.printer.sim import SimulatedPrinter

    printer = kiosk.devices.printer
    if not isinstance(printer, SimulatedPrinter):
        return []
    if not printer.wait_printed(timeout=30):
        print("kiosk demo: the simulated printer is still rendering; some pictures may be missing", file=sys.stderr)
    copied = []
    for source in sorted(printer.folder.iterdir()):
        if source.is_file() and source.suffix in (".bin", ".png"):
            target = out / f"printed-{source.name}"
            shutil.copyfile(source, target)
            copied.append(target)
    return copied


def run(args) -> int:
    from kiosk import config as kiosk_config
    from kiosk.cli import UsageError
    from screens import window

    headless = args.headless or (not args.window and not window.has_display())
    if args.window and not window.has_display():
        raise UsageError("--window needs a display ($DISPLAY or $WAYLAND_DISPLAY is unset); use --headless")
    out = Path(args.out)
    if headless:
        prepare_output(out)

    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as tmp:
        overrides = {"kiosk": {"data_dir": str(Path(tmp) / "data")}}
        try:
            config = kiosk_config.load(args.config, overrides=overrides)
        except kiosk_config.ConfigError as err:
            raise UsageError(str(err)) from None
        window.configure(
            config.kiosk,
            headless=headless,
            kivy_home=str(Path(tmp) / "kivy"),
            locked=False,
            quiet=not getattr(args, "verbose", False),
        )
        central = None
        if config.central.embedded:
            central = _start_central(Path(tmp) / "central", config.center.code, config.kiosk.id)
            if central is None:
                return 1
            overrides["central"] = {"url": central.url, "token": central.kiosk_token}
            config = kiosk_config.load(args.config, overrides=overrides)
        try:
            kiosk = _build(config)
            if kiosk is None:
                return 1
            try:
                if headless:
                    return _headless(kiosk, out, central)
                return _window(kiosk)
            finally:
                kiosk.close()
        finally:
            if central is not None:
                central.stop()


def _start_central(data_dir: Path, center_code: str, kiosk_name: str):
    """The central service on SQLite in ``data_dir``, answering on a free loopback port; the kiosk's
    account is named after the kiosk (staff choose it when they put a result in its locker)."""
    from central import embedded
    from central.settings import Settings

    try:
        return embedded.start(settings=Settings(data_dir=data_dir, default_center=center_code), kiosk_name=kiosk_name)
    except Exception as err:  # any failure to start is reported as one line, the demo cannot go on
        print(f"kiosk demo: the embedded central service did not start: {type(err).__name__}: {err}", file=sys.stderr)
        return None


def _build(config):
    from kiosk.wiring import START_ERRORS, build

    try:
        return build(config)
    except START_ERRORS as err:
        print(f"kiosk demo: cannot start the kiosk: {err}", file=sys.stderr)
        return None


def _window(kiosk) -> int:
    from screens.app import KioskApp

    KioskApp(kiosk).run()
    return 0


def _headless(kiosk, out: Path, central=None) -> int:
    from kiosk.cli.doctor import check_central, device_checks, format_table
    from screens.app import KioskApp
    from screens.driver import ScreenDriver
    from screens.demo_script import default_steps, run_visit
    from screens.gallery import take_gallery

    app = KioskApp(kiosk)
    driver = ScreenDriver(app)
    try:
        driver.start()
        staff = None
        if central is not None:
            from screens.dossier_demo import StaffDesk

            staff = StaffDesk(central.url, central.staff_token, kiosk.config.kiosk.id)
        steps = default_steps(app.registry, kiosk.config.kiosk.language, kiosk.config.kiosk.languages, staff)
        result = run_visit(driver, steps, out)
        gallery = take_gallery(driver, out / "gallery") if result.ok else None
    finally:
        driver.stop()
    files = result.files + collect_printouts(kiosk, out)
    checks = device_checks(kiosk.devices, kiosk.config.devices)
    checks.append(check_central(kiosk.config.central.url, kiosk.config.central.token))

    lines = [
        f"screens visited: {' → '.join(result.screens)}",
        f"files written to {out}/ ({len(files)}):",
        *(f"  {path.name}" for path in files),
        "device health:",
        *(f"  {line}" for line in format_table(checks).splitlines()),
    ]
    if gallery is not None:
        lines += [
            f"gallery: {len(gallery.files)} screenshots of every screen in {out / 'gallery'}/ "
            "(each language, standard and high contrast); spoken guidance in gallery/speech.txt",
            *(f"  problem: {problem}" for problem in gallery.problems),
            *(f"  silent: {screen}" for screen in gallery.silent()),
            *(f"  untranslated ({lang}): {msg!r}" for lang, msg in sorted(gallery.untranslated)),
        ]
    if result.ok:
        lines.insert(0, f"kiosk demo: scripted visit done, {len(steps)} steps")
    summary = "\n".join(lines)
    (out / "summary.txt").write_text(summary + "\n" + (f"FAILED: {result.failure}\n" if result.failure else ""), encoding="utf-8")
    print(summary)
    if not result.ok:
        print(f"kiosk demo: the scripted visit failed at {result.failure}", file=sys.stderr)
        return 1
    if gallery.problems or gallery.silent() or gallery.untranslated:
        print("kiosk demo: some screens could not be shown, said nothing or were not translated (see above)",
              file=sys.stderr)
        return 1
    return 0
