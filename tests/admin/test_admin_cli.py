"""`kiosk admin ...`: the PIN comes from stdin or a prompt, never from the command line."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import cli, logs
from kiosk.admin import AdminPin

ROOT = Path(__file__).resolve().parents[2]
CLI = (
    "import sys, kiosk.cli as cli\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)


@pytest.fixture
def kiosk_cli(tmp_path, monkeypatch):
    """Run `kiosk ...` in this process, with a config whose data dir is in tmp_path."""
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")

    def run(*argv: str, stdin: str = "") -> int:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        return cli.main([*argv[:2], "--config", str(config), *argv[2:]])

    return run, tmp_path / "data"


def test_set_pin_from_stdin_then_check(kiosk_cli, capsys):
    run, data = kiosk_cli
    assert run("admin", "set-pin", stdin="583920\n") == 0
    assert "admin PIN set" in capsys.readouterr().out
    pin = AdminPin(data)
    assert pin.check("583920").ok
    assert "583920" not in pin.pin_path.read_text(encoding="utf-8")


def test_weak_or_missing_pin_changes_nothing(kiosk_cli, capsys):
    run, data = kiosk_cli
    assert run("admin", "set-pin", stdin="111111\n") == 2
    assert "one digit repeated; nothing changed" in capsys.readouterr().err
    assert run("admin", "set-pin", stdin="") == 2
    assert "no PIN on stdin" in capsys.readouterr().err
    assert not AdminPin(data).is_set()


def test_pin_on_the_command_line_is_refused(kiosk_cli, capsys):
    run, data = kiosk_cli
    with pytest.raises(SystemExit) as exit_:
        run("admin", "set-pin", "583920")
    assert exit_.value.code == 2
    assert "unrecognized arguments: 583920" in capsys.readouterr().err
    assert not AdminPin(data).is_set()


def test_status_and_unlock(kiosk_cli, capsys):
    run, data = kiosk_cli
    run("admin", "set-pin", stdin="583920\n")
    pin = AdminPin(data)
    for _ in range(5):
        pin.check("000000")
    capsys.readouterr()
    assert run("admin", "status") == 0
    out = capsys.readouterr().out
    assert "admin PIN: set" in out
    assert "failed PIN attempts in a row: 5, locked until" in out
    assert "opening hours:" in out
    assert run("admin", "unlock") == 0
    assert AdminPin(data).check("583920").ok


def test_status_without_a_pin(kiosk_cli, capsys):
    run, _data = kiosk_cli
    assert run("admin", "status") == 0
    assert "NOT SET (kiosk admin set-pin)" in capsys.readouterr().out


def test_logs_show_the_tail_redacted(kiosk_cli, capsys):
    run, data = kiosk_cli
    assert run("admin", "logs") == 1
    assert "no logs" in capsys.readouterr().err
    logger = logging.getLogger("test-admin-cli-logs")
    logger.propagate = False
    handlers = logs.setup(data, logger=logger, stderr=False)
    try:
        for number in range(30):
            logger.info("event %d", number)
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
    with open(logs.log_dir(data) / logs.LOG_NAME, "a", encoding="utf-8") as fh:
        fh.write("an old line with 001199012345 in it\n")
    assert run("admin", "logs", "-n", "3") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[1] for line in lines[:2]] == ["event 28", "event 29"]
    assert lines[2] == "an old line with [redacted] in it"


def test_set_pin_through_a_pipe(tmp_path):
    """The real command in a subprocess, PIN piped in as an installer script would."""
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", CLI, "admin", "set-pin", "--config", str(config)],
        input="736105\n", capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert AdminPin(tmp_path / "data").check("736105").ok
