"""Configuration: defaults run on simulators; every bad value is one line naming its key."""

import subprocess
import sys

import pytest

from kiosk import config


def test_defaults_run_every_device_on_simulators():
    cfg = config.load()
    assert set(cfg.devices) == {"qr_reader", "camera", "printer", "speaker", "locker"}
    assert all(url.startswith("sim://") for url in cfg.devices.values())
    assert cfg.kiosk.language == "vi"
    # A 21.5-inch 1080x1920 portrait screen has about 4 px/mm (ACCESSIBILITY.md).
    assert 3.9 < cfg.kiosk.px_per_mm < 4.2


def test_file_overrides_only_what_it_names(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[center]\ncode = "PX09"\n[devices]\nprinter = "escpos+tcp://10.0.0.5:9100"\n'
        '[printer]\npaper_width_mm = 58\n',
        encoding="utf-8",
    )
    cfg = config.load(path)
    assert cfg.center.code == "PX09"
    assert cfg.devices["printer"] == "escpos+tcp://10.0.0.5:9100"
    assert cfg.printer.paper_width_mm == 58
    assert cfg.devices["camera"] == "sim://"
    assert cfg.source == str(path)


@pytest.mark.parametrize(
    ("data", "key", "words"),
    [
        ({"kiosk": {"idle_timeout_s": "soon"}}, "kiosk.idle_timeout_s", "seconds"),
        ({"kiosk": {"idle_timeout_s": 5}}, "kiosk.idle_timeout_s", "between 20"),
        ({"kiosk": {"language": "fr"}}, "kiosk.language", "kiosk.languages"),
        ({"kiosk": {"idel_timeout_s": 60}}, "kiosk.idel_timeout_s", "unknown key"),
        ({"devices": {"printer": "laser://x"}}, "devices.printer", "unknown driver 'laser'"),
        ({"devices": {"printer": "no-scheme"}}, "devices.printer", "not a device URL"),
        ({"devices": {"printer": 5}}, "devices.printer", "device URL string"),
        ({"central": {"url": "ftp://x"}}, "central.url", "http"),
        ({"printer": {"paper_width_mm": 72}}, "printer.paper_width_mm", "58 or 80"),
        ({"printer": {"text_mode": "utf8"}}, "printer.text_mode", "raster"),
        ({"kiosk": {"fullscreen": "yes"}}, "kiosk.fullscreen", "true or false"),
        ({"center": "HT01"}, "center", "table"),
    ],
)
def test_bad_values_name_the_key_and_the_problem(data, key, words):
    with pytest.raises(config.ConfigError) as caught:
        config.from_dict(data)
    message = str(caught.value)
    assert message.startswith(f"config: {key}: ")
    assert words in message
    assert "\n" not in message


def test_unreadable_files_are_one_line(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[kiosk\nid=", encoding="utf-8")
    with pytest.raises(config.ConfigError, match="not valid TOML"):
        config.load(broken)
    with pytest.raises(config.ConfigError, match="file not found"):
        config.load(tmp_path / "absent.toml")


def test_cli_reports_bad_config_in_one_line_without_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[devices]\nprinter = "laser://x"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "doctor", "--config", str(bad)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "devices.printer: unknown driver 'laser'" in result.stderr
