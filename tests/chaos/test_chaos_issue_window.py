"""The narrowest moments of taking a number: the service drew it, the kiosk cannot record it.

The random rounds rarely hit the first window (the time between sending ``POST /tickets`` and the
ledger's commit), so it is struck on purpose here: the kiosk is SIGKILLed right after the service
answered. A healthy kiosk then starts, finds the request it had written down before sending, and voids
whatever was drawn under its key. The number the service drew was never printed and nobody holds it, so
it must end voided, not waiting in the queue. The same holds when the kiosk lives but its disk is full,
so the number cannot be written down: the kiosk voids it at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from chaos_rig import Central, ChaosRig
from test_chaos_rounds import scan_pdf

from central import models


@dataclass
class Struck:
    lines: list[str]
    code: int
    stderr: str
    ledger: list
    status_before: str | None
    status_after: str | None
    drained: int
    requested: list
    void_reason: str | None


def strike(tmp_path, **spec) -> Struck:
    central = Central(tmp_path / "central")
    rig = ChaosRig(tmp_path, central, procedure={}, scan=scan_pdf(1000))
    try:
        process = rig._start(rig._spec(ops=[{"kind": "ticket", "service": "A"}], **spec), None)
        out, err = process.communicate(timeout=60)
        before = _only_status(central.rows(models.Ticket))
        ledger = rig.ledger()
        requested = rig.requested()
        drained = rig.drain()
        after = central.rows(models.Ticket)
        return Struck([line for line in out.splitlines() if line], process.returncode, err, ledger,
                      before, _only_status(after), drained.returncode, requested,
                      after[0].void_reason if after else None)
    finally:
        rig.close()
        central.close()


def _only_status(tickets: list) -> str | None:
    """The status of the one ticket at the central service; None when it holds none."""
    assert len(tickets) <= 1, f"{len(tickets)} numbers drawn for one request"
    return tickets[0].status if tickets else None


@pytest.fixture(scope="module")
def killed(tmp_path_factory):
    """A kiosk killed right after the service answered its ticket request."""
    return strike(tmp_path_factory.mktemp("killed"), die_after_issue_answer=True)


@pytest.fixture(scope="module")
def disk_full(tmp_path_factory):
    """A kiosk whose files may not grow any more once the service answered its ticket request."""
    return strike(tmp_path_factory.mktemp("disk-full"), disk_full_after_issue_answer=True)


def test_a_full_disk_before_sending_refuses_and_draws_nothing(tmp_path):
    """GIVEN a kiosk whose files may not grow once it started WHEN a citizen takes a number THEN the
    request cannot be written down, so it is not sent: the citizen is refused and no number is drawn."""
    struck = strike(tmp_path, disk_full_after_start=True)
    assert struck.code == 0, struck.stderr
    assert any('"refused": "ticket"' in line and '"TicketError"' in line for line in struck.lines), struck.lines
    assert struck.status_before is None and struck.status_after is None
    assert struck.ledger == [] and struck.requested == []


def test_a_kill_between_answer_and_record_leaves_only_the_written_down_request(killed):
    assert killed.code == -9, killed.stderr
    assert killed.ledger == [], "the kiosk died before recording the number"
    assert len(killed.requested) == 1, "the request was written down before it was sent"
    assert killed.status_before == "waiting"
    assert killed.drained == 0


def test_a_number_drawn_for_a_killed_kiosk_is_voided_after_restart(killed):
    assert killed.status_after == "voided", f"the number is {killed.status_after}: orphaned"
    assert killed.void_reason == "kiosk_restarted"


def test_a_full_disk_after_the_answer_refuses_the_citizen(disk_full):
    assert disk_full.code == 0, disk_full.stderr
    assert any('"refused": "ticket"' in line and '"TicketError"' in line for line in disk_full.lines), \
        disk_full.lines
    assert disk_full.ledger == []
    assert disk_full.drained == 0


def test_a_number_the_kiosk_could_not_record_is_voided(disk_full):
    assert disk_full.status_before == "voided", "voided at once, before any restart"
    assert disk_full.status_after == "voided", f"the number is {disk_full.status_after}: orphaned"
    assert disk_full.void_reason == "not_recorded"
