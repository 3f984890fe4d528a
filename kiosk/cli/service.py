"""``kiosk service ...``: run the kiosk under systemd and install its units.

    kiosk service run [--config FILE]
    kiosk service install [kiosk|central] [--root DIR] [--user NAME] [--config FILE] [--unit-dir DIR]
                          [--lockdown] [--enable]

``run`` is what ``motcua-kiosk.service`` starts: logs to ``<data_dir>/logs`` (redacted), shreds visit
folders a crash left behind, opens the fullscreen kiosk, tells systemd ``READY=1`` once the first
frame is drawn and keeps its watchdog fed only while the UI thread's heartbeat is fresh. SIGTERM ends
the current visit (wiped) and closes the devices.

``install`` writes the unit from ``deploy/systemd/`` with this checkout's folder, the kiosk user and
the config path filled in, plus (for the kiosk) the system user definition and, when there is none
yet, a starting configuration. ``--lockdown`` also turns off what a citizen could reach from a
keyboard or the case on a dedicated kiosk machine (other consoles' login prompts, power and reboot
keys, Ctrl+Alt+Del, magic SysRq). ``--enable`` then creates the user and starts the service.
"""

from __future__ import annotations

import argparse
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

from kiosk.cli import UsageError

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DEFAULT_ROOT = "/opt/motcua-kiosk"
DEFAULT_USER = "motcua"
DEFAULT_CONFIG = "/etc/motcua-kiosk/kiosk.toml"
STATE_DIR = "/var/lib/motcua-kiosk"
UNITS = {"kiosk": "motcua-kiosk.service", "central": "motcua-central.service"}
#: The file name of the kiosk's drop-ins (sysusers.d, logind.conf.d, sysctl.d).
SYSUSERS = "motcua-kiosk.conf"
#: deploy/<folder>/motcua-kiosk.conf -> /etc/<folder>/, written by --lockdown.
LOCKDOWN = ("logind.conf.d", "sysctl.d")
HEARTBEAT_S = 1.0


def register(subparsers) -> None:
    parser = subparsers.add_parser("service", help="run the kiosk under systemd, install its systemd units")
    commands = parser.add_subparsers(dest="service_command", metavar="ACTION", required=True)

    run = commands.add_parser("run", help="run the fullscreen kiosk as the systemd service does")
    run.add_argument("--config", metavar="FILE", help="kiosk configuration (TOML); default: $KIOSK_CONFIG")
    run.set_defaults(handler=run_kiosk)

    install = commands.add_parser("install", help="write the systemd unit (and user, config) for this checkout")
    install.add_argument("unit", nargs="?", choices=sorted(UNITS), default="kiosk", help="which service (default: kiosk)")
    install.add_argument("--root", type=Path, default=ROOT, help="the checkout with .venv (default: this one)")
    install.add_argument("--user", default=DEFAULT_USER, help=f"system user the kiosk runs as (default: {DEFAULT_USER})")
    install.add_argument("--config", default=DEFAULT_CONFIG, help=f"kiosk configuration file (default: {DEFAULT_CONFIG})")
    install.add_argument("--unit-dir", type=Path, default=Path("/etc/systemd/system"), help="where units go")
    install.add_argument("--sysusers-dir", type=Path, default=Path("/etc/sysusers.d"), help="where the user definition goes")
    install.add_argument("--lockdown", action="store_true", help="also lock the machine down for kiosk use")
    install.add_argument("--etc-dir", type=Path, default=Path("/etc"), help=argparse.SUPPRESS)
    install.add_argument("--enable", action="store_true", help="also create the user, reload systemd and start the service")
    install.set_defaults(handler=install_unit)


# --- install --------------------------------------------------------------------------------------


def render_unit(text: str, *, root: Path, user: str, config: str, data_dir: Path | None = None) -> str:
    """The shipped unit with this installation's folder, user and config path."""
    text = text.replace(DEFAULT_CONFIG, config).replace(DEFAULT_ROOT, str(root))
    text = re.sub(r"(?m)^(User|Group)=.*$", lambda m: f"{m.group(1)}={user}", text)
    if data_dir is not None and not Path(data_dir).is_relative_to(STATE_DIR):
        text = re.sub(r"(?m)^ReadWritePaths=.*$", lambda m: f"{m.group(0)} {data_dir}", text)
    return text


def render_sysusers(text: str, user: str) -> str:
    return re.sub(rf"(?m)^([um]) {DEFAULT_USER}\b", lambda m: f"{m.group(1)} {user}", text)


def _check_name(user: str) -> None:
    if not re.fullmatch(r"[a-z_][a-z0-9_-]{0,31}", user):
        raise UsageError(f"--user {user!r}: not a valid system user name")


def _write(path: Path, text: str, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(mode)
    tmp.replace(path)


def verify(unit_path: Path) -> list[str]:
    """Problems ``systemd-analyze verify`` finds in the unit (empty when it is fine or not installed)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return []
    done = subprocess.run([analyze, "verify", str(unit_path)], capture_output=True, text=True, timeout=60)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if unit_path.name in line]
    if done.returncode != 0 and not lines:
        lines = (done.stderr or done.stdout).strip().splitlines()[-3:]
    return lines


def install_unit(args) -> int:
    root = Path(args.root).resolve()
    _check_name(args.user)
    if not (root / ".venv" / "bin" / "kiosk").exists():
        raise UsageError(f"--root {root}: no .venv/bin/kiosk there; run `make setup` in it first")
    if not Path(args.config).is_absolute():
        raise UsageError(f"--config {args.config}: must be an absolute path")
    for flag, value in (("--root", str(root)), ("--config", args.config)):
        if re.search(r"[\s%$\\\"']", value):
            raise UsageError(f"{flag} {value!r}: a path for a systemd unit may not hold spaces, quotes, % or $")
    name = UNITS[args.unit]
    written: list[Path] = []
    data_dir = None
    if args.unit == "kiosk":
        config = Path(args.config)
        if not config.exists():
            _write(config, (DEPLOY / "kiosk.example.toml").read_text(encoding="utf-8"), 0o640)
            written.append(config)
        data_dir = _data_dir(config)
        sysusers = args.sysusers_dir / SYSUSERS
        _write(sysusers, render_sysusers((DEPLOY / "sysusers.d" / SYSUSERS).read_text(encoding="utf-8"), args.user), 0o644)
        written.append(sysusers)
        if args.lockdown:
            for folder in LOCKDOWN:
                target = args.etc_dir / folder / SYSUSERS
                _write(target, (DEPLOY / folder / SYSUSERS).read_text(encoding="utf-8"), 0o644)
                written.append(target)
    text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
    unit = args.unit_dir / name
    _write(unit, render_unit(text, root=root, user=args.user, config=args.config, data_dir=data_dir), 0o644)
    written.append(unit)
    for path in written:
        print(f"wrote {path}")
    problems = verify(unit)
    for line in problems:
        print(f"systemd-analyze: {line}", file=sys.stderr)
    steps = _next_steps(args, name)
    if problems:
        print(f"kiosk service install: fix {unit} before enabling it", file=sys.stderr)
    elif args.enable:
        for step in steps:
            print(f"running: {' '.join(step)}")
            done = subprocess.run(step)
            if done.returncode != 0:
                print(f"kiosk service install: `{' '.join(step)}` failed (exit {done.returncode})", file=sys.stderr)
                return 1
    else:
        print("next, as root:")
        for step in steps:
            print("  " + " ".join(step))
    if args.unit == "kiosk" and args.lockdown:
        print("the console and power-key settings (logind) take effect after a reboot")
    return 1 if problems else 0


def _data_dir(config: Path) -> Path | None:
    from kiosk import config as kiosk_config

    try:
        return kiosk_config.load(config).kiosk.data_dir
    except kiosk_config.ConfigError as err:
        raise UsageError(f"{err} (fix it before installing)") from None


def _next_steps(args, name: str) -> list[list[str]]:
    steps = []
    if args.unit == "kiosk":
        steps += [
            ["systemd-sysusers", str(args.sysusers_dir / SYSUSERS)],
            ["chgrp", args.user, args.config],
            ["chmod", "640", args.config],
        ]
    if args.unit == "kiosk" and args.lockdown:
        steps += [["systemctl", "mask", "ctrl-alt-del.target"], ["sysctl", "--system"]]
    steps += [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", name]]
    return steps


# --- run ------------------------------------------------------------------------------------------


def run_kiosk(args) -> int:
    from kiosk import config as kiosk_config
    from kiosk import logs
    from kiosk.watchdog import Heartbeat, Notifier, UiWatchdog

    try:
        config = kiosk_config.load(args.config)
    except kiosk_config.ConfigError as err:
        raise UsageError(str(err)) from None
    data_dir = config.kiosk.data_dir
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        data_dir.chmod(0o700)
        level = logging.DEBUG if getattr(args, "verbose", False) else logging.INFO
        logs.setup(data_dir, level=level, exclusive=True)
    except OSError as err:
        raise UsageError(f"data directory {data_dir}: {err.strerror}") from None

    notifier = Notifier()
    heartbeat = Heartbeat()
    watchdog = UiWatchdog.from_environment(heartbeat, notifier)
    notifier.status("starting")

    from screens import window

    window.configure(config.kiosk, headless=False, locked=True)
    kiosk = _build(config, notifier)
    if kiosk is None:
        return 1
    from screens import service_window

    try:
        return service_window.run(kiosk, heartbeat, notifier, watchdog, HEARTBEAT_S)
    finally:
        notifier.stopping("stopping")
        if watchdog is not None:
            watchdog.stop()
        kiosk.close()  # ends the open visit, wiping it
        kiosk.close()
        log.info("kiosk stopped")


def _build(config, notifier):
    from kiosk.wiring import START_ERRORS, build

    try:
        return build(config)
    except START_ERRORS as err:
        log.error("cannot start the kiosk: %s", err)
        notifier.status(f"cannot start: {err}")
        print(f"kiosk service run: cannot start the kiosk: {err}", file=sys.stderr)
        return None


