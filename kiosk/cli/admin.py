"""``kiosk admin ...``: the admin PIN, its lockout, opening hours and the logs, from a shell.

    kiosk admin set-pin [--config FILE]     read the new PIN from a prompt (twice) or one line of stdin
    kiosk admin status [--config FILE]      PIN set?, failed attempts, lock, open now?, next opening
    kiosk admin unlock [--config FILE]      clear the failed-attempt count after a lockout
    kiosk admin logs [-n N] [--config FILE] the last log lines (personal data redacted)

The PIN is never taken from the command line, where it would stay in the shell history and show in
the process list.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sys

from kiosk.cli import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser("admin", help="admin PIN, lockout, opening hours and logs")
    commands = parser.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    for name, handler, text in (
        ("set-pin", set_pin, "set the admin PIN (read from a prompt or stdin, never from arguments)"),
        ("status", status, "show the PIN state, lockout and opening hours"),
        ("unlock", unlock, "clear the failed-attempt count after a lockout"),
        ("logs", show_logs, "print the last log lines"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--config", metavar="FILE", help="kiosk configuration (TOML); default: $KIOSK_CONFIG")
        command.set_defaults(handler=handler)
        if name == "logs":
            command.add_argument("-n", "--lines", type=int, default=50, help="how many lines (default 50)")


def _config(args):
    from kiosk import config as kiosk_config

    try:
        return kiosk_config.load(args.config)
    except kiosk_config.ConfigError as err:
        raise UsageError(str(err)) from None


def _pin(config):
    from kiosk.admin import AdminPin

    return AdminPin(config.kiosk.data_dir)


def read_new_pin(stdin=None) -> str:
    """The new PIN: asked twice on a terminal, else the first line of stdin."""
    stdin = stdin or sys.stdin
    if stdin.isatty():
        first = getpass.getpass("New admin PIN (6-12 digits): ")
        if getpass.getpass("Same PIN again: ") != first:
            raise UsageError("the two PINs differ; nothing changed")
        return first
    line = stdin.readline()
    if not line.strip():
        raise UsageError("no PIN on stdin; pipe one line with the PIN, or run this at a terminal")
    return line.strip()


def set_pin(args) -> int:
    from kiosk.admin import PinError

    pin = _pin(_config(args))
    new = read_new_pin()
    try:
        pin.set(new)
    except PinError as err:
        raise UsageError(f"{err}; nothing changed") from None
    print(f"admin PIN set ({pin.pin_path}); failed attempts cleared")
    return 0


def _when(timestamp: float) -> str:
    from kiosk.admin.hours import VIETNAM

    return dt.datetime.fromtimestamp(timestamp, VIETNAM).strftime("%Y-%m-%d %H:%M %Z")


def status(args) -> int:
    from kiosk.admin import HolidayTableError, OpeningHours

    config = _config(args)
    pin = _pin(config)
    attempts = pin.attempts()
    now = pin.clock()
    lines = [f"admin PIN: {'set' if pin.is_set() else 'NOT SET (kiosk admin set-pin)'}"]
    lock = f", locked until {_when(attempts.locked_until)}" if attempts.locked_until > now else ""
    lines.append(f"failed PIN attempts in a row: {attempts.failures}{lock}")
    try:
        hours = OpeningHours.from_config(config.hours)
    except HolidayTableError as err:
        raise UsageError(str(err)) from None
    current = dt.datetime.fromtimestamp(now, dt.timezone.utc)
    if not config.hours.lock_after_hours:
        lines.append("opening hours: not locked after hours")
    elif hours.is_open(current):
        lines.append(f"opening hours: open now, until {hours.closes_at(current):%H:%M}")
    else:
        opens = hours.next_open(current)
        lines.append(f"opening hours: closed now, opens {opens:%Y-%m-%d %H:%M}" if opens else "opening hours: never open")
    print("\n".join(lines))
    return 0


def unlock(args) -> int:
    pin = _pin(_config(args))
    try:
        pin.unlock()
    except OSError as err:
        raise UsageError(f"cannot write {pin.attempts_path}: {err.strerror}") from None
    print("failed PIN attempts cleared")
    return 0


def show_logs(args) -> int:
    from kiosk import logs

    if args.lines <= 0:
        raise UsageError("-n must be a positive number of lines")
    config = _config(args)
    lines = logs.tail(config.kiosk.data_dir, args.lines)
    if not lines:
        print(f"no logs in {logs.log_dir(config.kiosk.data_dir)}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0
