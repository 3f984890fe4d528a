"""sd_notify against a real AF_UNIX datagram socket, the UI-hang watchdog, and `kiosk service run`."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk.watchdog import Heartbeat, Notifier, UiWatchdog, notify_address, watchdog_interval

ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def systemd_socket(tmp_path):
    """What systemd listens on: a datagram socket bound to a path."""
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(10)
    yield path, sock
    sock.close()


def receive(sock: socket.socket, timeout: float = 10) -> str:
    sock.settimeout(timeout)
    return sock.recv(4096).decode("utf-8")


def nothing_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        sock.recv(4096)
    except TimeoutError:
        return True
    return False


def test_messages_reach_the_socket(systemd_socket):
    path, sock = systemd_socket
    notifier = Notifier(env={"NOTIFY_SOCKET": str(path)})
    assert notifier.enabled
    assert notifier.ready("serving as kiosk-01")
    assert receive(sock) == "READY=1\nSTATUS=serving as kiosk-01"
    assert notifier.watchdog()
    assert receive(sock) == "WATCHDOG=1"
    assert notifier.status("printer out of paper")
    assert receive(sock) == "STATUS=printer out of paper"
    assert notifier.stopping()
    assert receive(sock) == "STOPPING=1"


def test_abstract_namespace_socket():
    name = f"motcua-test-{secrets.token_hex(6)}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    try:
        notifier = Notifier(env={"NOTIFY_SOCKET": "@" + name})
        assert notifier.ready()
        assert receive(sock) == "READY=1"
    finally:
        sock.close()


def test_without_systemd_nothing_is_sent(tmp_path):
    assert notify_address({}) is None
    assert notify_address({"NOTIFY_SOCKET": "vsock:2:1234"}) is None
    assert Notifier(env={}).ready() is False
    gone = Notifier(env={"NOTIFY_SOCKET": str(tmp_path / "no-such.sock")})
    assert gone.enabled and gone.watchdog() is False


def test_watchdog_interval_from_environment():
    assert watchdog_interval({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}) == 15.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "soon"}) is None
    assert watchdog_interval({}) is None


def test_pings_only_while_the_ui_beats(systemd_socket):
    """GIVEN the UI heartbeat WHEN it is fresh THEN WATCHDOG=1 goes out; WHEN the UI hangs THEN the
    pings stop (systemd will restart the kiosk) and the status says why; WHEN it beats again they resume."""
    path, sock = systemd_socket
    clock = FakeClock()
    heartbeat = Heartbeat(clock)
    watchdog = UiWatchdog(heartbeat, Notifier(str(path)), interval_s=5, stale_after_s=10)

    assert watchdog.check() is False  # the UI has not drawn its first frame yet
    assert nothing_within(sock, 0.05)
    heartbeat.beat()
    clock.now += 9
    assert watchdog.check() is True
    assert receive(sock) == "WATCHDOG=1"

    clock.now += 2  # 11 s since the last beat: hung
    assert watchdog.check() is False
    assert receive(sock) == "STATUS=UI not responding for 11 s"
    assert watchdog.check() is False
    assert nothing_within(sock, 0.05)

    heartbeat.beat()
    assert watchdog.check() is True
    assert receive(sock) == "STATUS=running"
    assert receive(sock) == "WATCHDOG=1"


def test_watchdog_thread_goes_quiet_when_the_ui_hangs(systemd_socket):
    path, sock = systemd_socket
    clock = FakeClock()
    heartbeat = Heartbeat(clock)
    heartbeat.beat()
    watchdog = UiWatchdog(heartbeat, Notifier(str(path)), interval_s=0.02, stale_after_s=10)
    watchdog.start()
    try:
        assert [receive(sock) for _ in range(3)] == ["WATCHDOG=1"] * 3
        clock.now += 60
        messages = []
        while not messages or messages[-1].startswith("WATCHDOG"):
            messages.append(receive(sock))
        assert messages[-1] == "STATUS=UI not responding for 60 s"
        assert nothing_within(sock, 0.3)  # fifteen intervals without a ping
    finally:
        watchdog.stop()
    assert not any(t.name == "ui-watchdog" for t in threading.enumerate())


def test_from_environment_needs_watchdog_sec(systemd_socket, monkeypatch):
    path, _sock = systemd_socket
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    assert UiWatchdog.from_environment(Heartbeat(), Notifier(str(path))) is None
    monkeypatch.setenv("WATCHDOG_USEC", "4000000")
    watchdog = UiWatchdog.from_environment(Heartbeat(), Notifier(str(path)))
    assert watchdog is not None and watchdog.interval_s == 2.0
    assert UiWatchdog.from_environment(Heartbeat(), Notifier(env={})) is None


CLI = (
    "import sys, kiosk.cli as cli\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)


@pytest.mark.ui
def test_service_run_notifies_systemd_and_stops_cleanly(tmp_path, systemd_socket):
    """`kiosk service run` in a real offscreen window, as systemd starts it: stale visits shredded,
    READY=1 after the first frame, watchdog pings from the UI heartbeat, SIGTERM stops it with STOPPING=1."""
    path, sock = systemd_socket
    data = tmp_path / "data"
    stale = data / "visits" / "0123456789abcdef"
    stale.mkdir(parents=True)
    (stale / "page-01.png.sealed").write_bytes(b"left by a crash")
    config = tmp_path / "kiosk.toml"
    devices = "\n".join(f'{kind} = "none://"' for kind in ("qr_reader", "camera", "printer", "speaker", "locker"))
    config.write_text(
        f'[kiosk]\ndata_dir = "{data}"\nfullscreen = false\n'
        f'[central]\nurl = "http://127.0.0.1:9"\n[devices]\n{devices}\n',
        encoding="utf-8",
    )
    env = dict(
        os.environ,
        NOTIFY_SOCKET=str(path),
        WATCHDOG_USEC="1000000",
        SDL_VIDEODRIVER="offscreen",
        KIVY_HOME=str(tmp_path / "kivy"),
    )
    env.pop("WATCHDOG_PID", None)
    process = subprocess.Popen(
        [sys.executable, "-c", CLI, "service", "run", "--config", str(config)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        messages = [receive(sock, 60)]
        while "READY=1" not in messages[-1]:
            messages.append(receive(sock, 60))
        assert messages[-1] == "READY=1\nSTATUS=serving as kiosk-01"
        assert receive(sock, 30) == "WATCHDOG=1"
        assert not stale.exists()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
    tail = [receive(sock)]
    while not tail[-1].startswith("STOPPING=1"):
        tail.append(receive(sock))
    assert tail[-1] == "STOPPING=1\nSTATUS=stopping"
    log_text = (data / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "removed 1 visit folder(s) left by an earlier run" in log_text
    assert "kiosk kiosk-01 ready" in log_text and "kiosk stopped" in log_text
