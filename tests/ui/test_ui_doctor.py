"""``kiosk doctor`` on simulators and a real central service on loopback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kiosk.cli import main

ALL_SIMULATORS = '''
[kiosk]
data_dir = "{data}"

[central]
embedded = {embedded}
url = "{url}"

[devices]
printer = "sim://"
qr_reader = "sim://"
camera = "sim://"
speaker = "{speaker}"
locker = "sim://"
'''


def write_config(tmp_path: Path, url="http://127.0.0.1:9", embedded=False, speaker="sim://") -> str:
    path = tmp_path / "kiosk.toml"
    text = ALL_SIMULATORS.format(data=tmp_path / "data", url=url, embedded=str(embedded).lower(), speaker=speaker)
    path.write_text(text, encoding="utf-8")
    return str(path)


def rows(output: str) -> dict[str, list[str]]:
    table = {}
    for line in output.splitlines():
        cells = line.split()
        if len(cells) >= 3 and cells[0] in ("printer", "qr_reader", "camera", "speaker", "locker", "central"):
            table[cells[0]] = cells[1:]
    return table


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def central_service(tmp_path_factory):
    from central import embedded

    with embedded.start(tmp_path_factory.mktemp("central")) as service:
        yield service


def test_every_simulator_and_a_running_central_service_are_healthy(tmp_path, capsys, central_service):
    status = main(["doctor", "--config", write_config(tmp_path, url=central_service.url)])
    out = capsys.readouterr().out
    table = rows(out)
    assert set(table) == {"printer", "qr_reader", "camera", "speaker", "locker", "central"}
    for device, cells in table.items():
        assert cells[1] == "ok", f"{device}: {cells}"
    assert table["central"][0] == f"{central_service.url}/health"
    assert "DEVICE" in out and "DRIVER URL" in out and "STATUS" in out and "DETAIL" in out
    assert status == 0


def test_the_built_in_configuration_checks_the_embedded_central_service(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    main(["doctor"])
    table = rows(capsys.readouterr().out)
    assert table["central"][0].startswith("embedded")
    assert table["central"][2] == "ok"
    assert table["central"][-1] == "answering"


def test_an_unreachable_central_service_is_reported_not_raised(tmp_path, capsys):
    url = f"http://127.0.0.1:{closed_port()}"
    status = main(["doctor", "--config", write_config(tmp_path, url=url)])
    captured = capsys.readouterr()
    central = rows(captured.out)["central"]
    assert central[:2] == [f"{url}/health", "error"]
    assert "unreachable" in " ".join(central)
    assert "Traceback" not in captured.out + captured.err
    assert status == 1


def test_a_device_that_cannot_start_is_one_error_row_and_the_others_are_still_checked(tmp_path, capsys, central_service):
    status = main(["doctor", "--config", write_config(tmp_path, url=central_service.url, speaker="sim://?wpm=5")])
    table = rows(capsys.readouterr().out)
    assert table["speaker"][1] == "error"
    assert table["printer"][1] == "ok" and table["locker"][1] == "ok"
    assert status == 1


def test_a_bad_configuration_is_one_line_and_exit_status_2(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('[kiosk]\nidle_timeout_s = "soon"\n', encoding="utf-8")
    assert main(["doctor", "--config", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "kiosk.idle_timeout_s" in err
