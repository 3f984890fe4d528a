"""``wiring.build`` gives the kiosk its API client, outbox, delivery worker, tickets and sync status."""

import socket
import stat
import threading

import pytest

from kiosk import config as kiosk_config
from kiosk import i18n, sync, tickets, wiring

NO_DEVICES = {kind: "none://" for kind in ("camera", "qr_reader", "printer", "speaker", "locker")}


#: Ports held bound (never listening) for the whole run: nothing answers on them, and the kernel cannot
#: hand one out as the source port of the kiosk's own connection (which would connect the kiosk to
#: itself, and a request that reached "something" is voided by its key).
_HELD: list[socket.socket] = []


def _closed_port_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    _HELD.append(sock)
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _config(tmp_path, **kiosk):
    return kiosk_config.from_dict(
        {
            "kiosk": {"data_dir": str(tmp_path / "data"), **kiosk},
            "central": {"url": _closed_port_url(), "connect_timeout_s": 0.5, "read_timeout_s": 0.5},
            "devices": NO_DEVICES,
        },
        "<test>",
    )


def _delivery_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "outbox-delivery")


def test_build_wires_the_central_link_and_close_stops_it(tmp_path):
    before = _delivery_threads()
    kiosk = wiring.build(_config(tmp_path, offline_prefix="K3"))
    try:
        assert kiosk.worker.running and _delivery_threads() == before + 1
        assert kiosk.api.observers and kiosk.sync.outbox is kiosk.outbox
        ticket = kiosk.tickets.issue("A")
        assert ticket.number == "K3-A001" and ticket.offline
        waiting = kiosk.sync.snapshot().waiting
        assert waiting == {"ticket": 1}  # a refused connection sent nothing: there is nothing to void
        key_file = tmp_path / "data" / "outbox.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    finally:
        kiosk.close()
    assert not kiosk.worker.running and _delivery_threads() == before


def test_a_request_refused_at_connect_is_not_voided_by_a_settling_thread(tmp_path, monkeypatch):
    """The kiosk's other threads settle unanswered requests now and then. A request the service never
    received stays "in flight" until it is crossed out, so a settle run in between leaves it alone
    (it used to be voided by key: harmless, but a void for nothing)."""
    kiosk = wiring.build(_config(tmp_path))
    try:
        # the delivery worker may already have found the service down, and then a ticket is issued
        # offline without asking it; this request is to be sent all the same
        monkeypatch.setattr(kiosk.tickets, "recheck_s", 0.0)
        real = kiosk.outbox.transaction
        settled: list[int] = []

        def written_down() -> int:
            with kiosk.outbox.reading() as conn:
                return conn.execute("SELECT count(*) FROM tickets_requested").fetchone()[0]

        def settling_first():  # another thread's settle run, just as the request is being crossed out
            if not settled and written_down():
                settled.append(kiosk.tickets.settle_requests())
            return real()

        monkeypatch.setattr(kiosk.outbox, "transaction", settling_first)
        ticket = kiosk.tickets.issue("A")
        monkeypatch.setattr(kiosk.outbox, "transaction", real)
        assert ticket.offline and settled == [0]
        assert kiosk.outbox.counts().waiting == {"ticket": 1}
    finally:
        kiosk.close()


def test_many_kiosks_start_and_stop_cleanly(tmp_path):
    before = _delivery_threads()
    for n in range(5):
        kiosk = wiring.build(_config(tmp_path / str(n)))
        kiosk.close()
    assert _delivery_threads() == before


def test_a_restarted_kiosk_keeps_its_queue_and_numbers(tmp_path):
    kiosk = wiring.build(_config(tmp_path))
    kiosk.tickets.issue("B")
    kiosk.close()
    again = wiring.build(_config(tmp_path))
    try:
        assert again.tickets.issue("B").number == "K1-B002"
        waiting = again.outbox.counts().waiting
        assert waiting == {"ticket": 2}
    finally:
        again.close()


def test_a_configured_key_file_must_exist(tmp_path):
    with pytest.raises(kiosk_config.ConfigError, match="outbox_key_file.*does not exist"):
        wiring.build(_config(tmp_path, outbox_key_file=str(tmp_path / "missing.key")))


@pytest.mark.parametrize("prefix", ["", "k1", "K-1", "KIOSK1", "1K", 7])
def test_offline_prefix_is_validated(tmp_path, prefix):
    with pytest.raises(kiosk_config.ConfigError, match="kiosk.offline_prefix"):
        _config(tmp_path, offline_prefix=prefix)


def test_citizen_messages_are_translated():
    for message in (sync.OFFLINE_NOTICE, tickets.MSG_UNKNOWN_SERVICE, tickets.MSG_REFUSED, tickets.MSG_NO_SERVICES):
        assert i18n.translate(message, "vi") != message
        assert i18n.translate(message, "en") == message
        assert ("vi", message) not in i18n.missing
