"""The shipped systemd units: the keys the kiosk relies on, `systemd-analyze verify`, and the installer."""

from __future__ import annotations

import argparse
import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk import config as kiosk_config
from kiosk.cli import UsageError
from kiosk.cli import service

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """Sections -> key -> every value (systemd allows keys to repeat, configparser does not)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, f"not a unit line: {raw!r}"
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(unit: dict, section: str, key: str) -> str:
    values = unit[section].get(key)
    assert values and len(values) == 1, f"{section}.{key}: {values}"
    return values[0]


def test_kiosk_unit_keys():
    unit = parse_unit((UNITS / "motcua-kiosk.service").read_text(encoding="utf-8"))
    service_ = "Service"
    assert one(unit, service_, "Type") == "notify"
    assert int(one(unit, service_, "WatchdogSec")) >= 10
    assert one(unit, service_, "Restart") == "always"
    assert float(one(unit, service_, "RestartSec")) > 0
    assert one(unit, service_, "User") == "motcua"
    assert one(unit, service_, "WorkingDirectory") == "/opt/motcua-kiosk"
    assert one(unit, service_, "ExecStart").split()[:3] == ["/opt/motcua-kiosk/.venv/bin/kiosk", "service", "run"]
    assert one(unit, service_, "StandardOutput") == "journal"
    assert one(unit, service_, "ProtectSystem") == "strict"
    assert "/var/lib/motcua-kiosk" in one(unit, service_, "ReadWritePaths").split()
    assert one(unit, service_, "StateDirectory") == "motcua-kiosk"
    for key in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "ProtectKernelModules", "RestrictSUIDSGID"):
        assert one(unit, service_, key) == "yes", key
    # These would hide the screen, touch, printer and serial devices from the kiosk.
    for key in ("PrivateDevices", "ProtectClock", "DevicePolicy", "DeviceAllow", "MemoryDenyWriteExecute"):
        assert key not in unit[service_], key
    env = dict(value.split("=", 1) for value in unit[service_]["Environment"])
    assert env["SDL_VIDEODRIVER"] == "kmsdrm" and env["KIVY_NO_ARGS"] == "1"
    assert env["KIVY_HOME"].startswith("/var/lib/motcua-kiosk/")
    # The default data dir ($XDG_DATA_HOME/motcua-kiosk) is the state directory systemd makes writable.
    assert Path(env["XDG_DATA_HOME"]) / "motcua-kiosk" == Path("/var/lib/motcua-kiosk")
    assert one(unit, "Unit", "StartLimitIntervalSec") == "0"
    assert one(unit, "Install", "WantedBy") == "multi-user.target"


def test_central_unit_keys():
    unit = parse_unit((UNITS / "motcua-central.service").read_text(encoding="utf-8"))
    assert one(unit, "Service", "Restart") == "always"
    assert one(unit, "Service", "ExecStart").split()[1:3] == ["central", "serve"]
    assert "--data-dir /var/lib/motcua-central" in one(unit, "Service", "ExecStart")
    assert one(unit, "Service", "StateDirectory") == "motcua-central"
    assert one(unit, "Service", "StandardOutput") == "journal"
    for key in ("DynamicUser", "NoNewPrivileges", "PrivateTmp", "PrivateDevices", "ProtectClock"):
        assert one(unit, "Service", key) == "yes", key
    assert one(unit, "Service", "ProtectSystem") == "strict"


def install(tmp_path: Path, unit: str = "kiosk", **changes) -> argparse.Namespace:
    """A checkout with an executable .venv/bin/kiosk, and install args writing into tmp_path."""
    root = tmp_path / "checkout"
    kiosk = root / ".venv" / "bin" / "kiosk"
    kiosk.parent.mkdir(parents=True, exist_ok=True)
    kiosk.write_text("#!/bin/sh\nexit 0\n")
    kiosk.chmod(0o755)
    args = argparse.Namespace(
        unit=unit,
        root=root,
        user="kioskuser",
        config=str(tmp_path / "etc" / "kiosk.toml"),
        unit_dir=tmp_path / "units",
        sysusers_dir=tmp_path / "sysusers.d",
        etc_dir=tmp_path / "etc",
        lockdown=False,
        enable=False,
    )
    for key, value in changes.items():
        setattr(args, key, value)
    return args


@pytest.mark.parametrize("unit", ["kiosk", "central"])
def test_installed_unit_passes_systemd_analyze(tmp_path, unit, capsys):
    args = install(tmp_path, unit)
    assert service.install_unit(args) == 0
    path = args.unit_dir / service.UNITS[unit]
    text = path.read_text(encoding="utf-8")
    assert "/opt/motcua-kiosk" not in text and str(args.root) in text
    parsed = parse_unit(text)
    assert one(parsed, "Service", "ExecStart").startswith(f"{args.root}/.venv/bin/kiosk ")
    if unit == "kiosk":
        assert one(parsed, "Service", "User") == "kioskuser"
        assert f"--config {args.config}" in one(parsed, "Service", "ExecStart")
    out = capsys.readouterr().out
    assert f"systemctl enable --now {service.UNITS[unit]}" in out
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return  # parsed above; nothing more to ask
    done = subprocess.run([analyze, "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [line for line in done.stderr.splitlines() if path.name in line] == []


def test_verify_reports_a_broken_unit(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    broken = tmp_path / "broken.service"
    broken.write_text("[Service]\nExecStart=/no/such/kiosk run\nWatchdogSecs=30\n")
    problems = service.verify(broken)
    assert any("WatchdogSecs" in line for line in problems)
    assert any("/no/such/kiosk" in line for line in problems)


def test_install_writes_user_and_starting_config_once(tmp_path):
    args = install(tmp_path)
    assert service.install_unit(args) == 0
    sysusers = (args.sysusers_dir / service.SYSUSERS).read_text(encoding="utf-8")
    assert sysusers.splitlines()[2].startswith("u kioskuser ")
    assert "m kioskuser video" in sysusers and "motcua " not in sysusers
    config = Path(args.config)
    assert config.stat().st_mode & 0o777 == 0o640
    assert kiosk_config.load(config).kiosk.data_dir == Path("/var/lib/motcua-kiosk")
    config.write_text('[kiosk]\nid = "kiosk-07"\ndata_dir = "/srv/kiosk-data"\n', encoding="utf-8")
    assert service.install_unit(args) == 0
    assert "kiosk-07" in config.read_text(encoding="utf-8")  # never overwritten
    unit = parse_unit((args.unit_dir / service.UNITS["kiosk"]).read_text(encoding="utf-8"))
    assert one(unit, "Service", "ReadWritePaths").split() == ["/var/lib/motcua-kiosk", "/srv/kiosk-data"]


def test_lockdown_turns_off_what_a_citizen_could_reach(tmp_path, capsys):
    args = install(tmp_path, lockdown=True)
    assert service.install_unit(args) == 0
    logind = configparser.ConfigParser()
    logind.optionxform = str
    logind.read(args.etc_dir / "logind.conf.d" / service.SYSUSERS)
    assert logind["Login"]["NAutoVTs"] == "0"
    assert logind["Login"]["HandlePowerKey"] == "ignore" and logind["Login"]["HandleRebootKey"] == "ignore"
    sysctl = (args.etc_dir / "sysctl.d" / service.SYSUSERS).read_text(encoding="utf-8")
    assert "kernel.sysrq = 0" in sysctl.splitlines()
    out = capsys.readouterr().out
    assert "systemctl mask ctrl-alt-del.target" in out and "sysctl --system" in out
    plain = install(tmp_path / "plain")
    service.install_unit(plain)
    assert not (plain.etc_dir / "logind.conf.d").exists()
    assert "ctrl-alt-del" not in capsys.readouterr().out


def test_install_refuses_bad_input(tmp_path):
    with pytest.raises(UsageError, match="not a valid system user"):
        service.install_unit(install(tmp_path, user="root; rm"))
    with pytest.raises(UsageError, match="absolute"):
        service.install_unit(install(tmp_path, config="kiosk.toml"))
    with pytest.raises(UsageError, match="spaces"):
        service.install_unit(install(tmp_path, config="/etc/motcua kiosk/kiosk.toml"))
    args = install(tmp_path)
    (args.root / ".venv" / "bin" / "kiosk").unlink()
    with pytest.raises(UsageError, match="make setup"):
        service.install_unit(args)
    args = install(tmp_path)
    Path(args.config).parent.mkdir(parents=True, exist_ok=True)
    Path(args.config).write_text("[kiosk]\nidle_timeout_s = 'soon'\n", encoding="utf-8")
    with pytest.raises(UsageError, match="kiosk.idle_timeout_s"):
        service.install_unit(args)


def test_example_config_is_valid():
    config = kiosk_config.load(ROOT / "deploy" / "kiosk.example.toml")
    assert config.hours.lock_after_hours and config.kiosk.fullscreen
    assert config.devices["locker"] == "none://"
