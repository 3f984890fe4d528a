"""The simulated locker: doors, occupancy, the people who load and take, and its faults."""

import threading

import pytest

from devices.errors import DeviceDisconnected, DeviceTimeout, DoorLeftOpen, DriverUnavailable, LockerError, LockerJammed
from devices.locker.sim import SimulatedLocker
from devices.ports import CompartmentState, ResultLocker
from devices.registry import DeviceContext, open_device


def sim(tmp_path, query: str = "") -> SimulatedLocker:
    locker = open_device("locker", f"sim://?{query}", DeviceContext(data_dir=tmp_path))
    assert isinstance(locker, SimulatedLocker) and isinstance(locker, ResultLocker)
    return locker


def test_default_is_a_two_by_six_grid_locked_and_empty(tmp_path):
    locker = sim(tmp_path)
    assert locker.compartments() == ["A1", "A2", "A3", "A4", "A5", "A6", "B1", "B2", "B3", "B4", "B5", "B6"]
    assert all(locker.state(c) == CompartmentState(False, False) for c in locker.compartments())
    assert locker.health().status == "ok"


def test_compartments_and_loaded_come_from_the_url(tmp_path):
    locker = sim(tmp_path, "compartments=R1,R2,R3&loaded=r2")
    assert locker.compartments() == ["R1", "R2", "R3"]
    assert [locker.state(c).occupied for c in ("R1", "R2", "R3")] == [False, True, False]
    assert "1 occupied" in locker.health().detail


def test_pickup_goes_open_take_close(tmp_path):
    """GIVEN staff loaded A3 WHEN the kiosk opens it and the citizen takes the result and shuts the door
    THEN A3 is closed and empty, and each step was an event."""
    locker = sim(tmp_path)
    locker.load("A3")
    locker.open("A3")
    assert locker.state("A3") == CompartmentState(door_open=True, occupied=True)

    locker.take("A3")
    locker.close("A3")

    assert locker.state("A3") == CompartmentState(door_open=False, occupied=False)
    assert [(e.kind, e.compartment) for e in locker.events] == [
        ("loaded", "A3"), ("opened", "A3"), ("taken", "A3"), ("closed", "A3")]


def test_nothing_can_be_taken_through_a_shut_door(tmp_path):
    locker = sim(tmp_path, "loaded=A1")
    with pytest.raises(ValueError, match="shut"):
        locker.take("A1")
    assert locker.state("A1").occupied


def test_wait_closed_wakes_when_another_thread_closes_the_door(tmp_path):
    locker = sim(tmp_path, "loaded=B2")
    locker.open("B2")

    def citizen():
        locker.take("B2")
        locker.close("B2")

    threading.Thread(target=citizen).start()
    assert locker.wait_closed("B2", timeout=10) == CompartmentState(door_open=False, occupied=False)


def test_a_door_left_open_raises_door_left_open(tmp_path):
    locker = sim(tmp_path, "loaded=A2")
    locker.open("A2")
    locker.take("A2")  # ... and the citizen walks away
    with pytest.raises(DoorLeftOpen, match="A2"):
        locker.wait_closed("A2", timeout=0.05)
    assert locker.state("A2").door_open


def test_a_door_that_does_not_latch_stays_open(tmp_path):
    locker = sim(tmp_path)
    locker.set_fault("door_left_open", "A4")
    locker.open("A4")
    locker.close("A4")

    assert locker.state("A4").door_open
    with pytest.raises(DoorLeftOpen):
        locker.wait_closed("A4", timeout=0.05)
    assert locker.health().status == "warning" and "A4" in locker.health().detail

    locker.clear_fault("A4")
    locker.close("A4")
    assert not locker.state("A4").door_open and locker.health().status == "ok"


def test_a_jammed_lock_does_not_open(tmp_path):
    locker = sim(tmp_path, "loaded=B1")
    locker.set_fault("jammed", "B1")

    with pytest.raises(LockerJammed, match="B1"):
        locker.open("B1")
    assert locker.state("B1") == CompartmentState(door_open=False, occupied=True, jammed=True)
    assert locker.health().status == "warning"
    locker.open("B2")  # the others still work
    assert locker.wait_event("jammed", "B1", timeout=0) is not None


def test_every_lock_jammed_is_an_error(tmp_path):
    locker = sim(tmp_path, "compartments=A1,A2")
    locker.set_fault("jammed", "A1")
    locker.set_fault("jammed", "A2")
    assert locker.health().status == "error"


def test_sensor_failure_makes_state_time_out(tmp_path):
    locker = sim(tmp_path)
    locker.set_fault("sensor_failure", "A1")
    with pytest.raises(DeviceTimeout, match="A1"):
        locker.state("A1")
    assert locker.state("A2").door_open is False
    assert locker.health().status == "error"

    locker.set_fault("sensor_failure")
    with pytest.raises(DeviceTimeout):
        locker.state("B6")
    locker.clear_fault()
    assert locker.health().status == "ok"


def test_an_offline_board_refuses_everything(tmp_path):
    locker = sim(tmp_path)
    locker.set_fault("offline")
    for action in (locker.open, locker.state, locker.load):
        with pytest.raises(DeviceDisconnected):
            action("A1")
    assert locker.health().status == "error"


def test_wait_closed_ends_with_the_fault_when_the_board_goes_offline(tmp_path):
    locker = sim(tmp_path)
    locker.open("A1")
    threading.Timer(0.05, locker.set_fault, args=("offline",)).start()
    with pytest.raises(DeviceDisconnected):
        locker.wait_closed("A1", timeout=10)


def test_auto_take_plays_a_citizen_who_takes_and_closes(tmp_path):
    locker = sim(tmp_path, "loaded=A6&auto_take_s=0")
    locker.open("A6")
    assert locker.wait_closed("A6", timeout=10) == CompartmentState(door_open=False, occupied=False)
    assert [e.kind for e in locker.events] == ["opened", "taken", "closed"]
    locker.close()


def test_wait_event_finds_events_from_another_thread(tmp_path):
    locker = sim(tmp_path)
    mark = len(locker.events)
    threading.Thread(target=locker.open, args=("B3",)).start()
    event = locker.wait_event("opened", "b3", timeout=10, after=mark)
    assert event is not None and event.compartment == "B3"
    assert locker.wait_event("closed", timeout=0.01) is None


def test_concurrent_openings_are_all_recorded(tmp_path):
    locker = sim(tmp_path)
    threads = [threading.Thread(target=locker.open, args=(c,)) for c in locker.compartments()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(e.compartment for e in locker.events) == sorted(locker.compartments())
    assert all(locker.state(c).door_open for c in locker.compartments())


def test_unknown_compartment_and_fault_are_refused(tmp_path):
    locker = sim(tmp_path)
    with pytest.raises(LockerError, match="no compartment 'Z9'"):
        locker.open("Z9")
    with pytest.raises(ValueError, match="unknown locker fault"):
        locker.set_fault("flooded", "A1")
    with pytest.raises(ValueError, match="needs a compartment"):
        locker.set_fault("jammed")


@pytest.mark.parametrize(
    "query, message",
    [
        ("compartments=A1,A1", "A1 listed twice"),
        ("compartments=A 1", "labels must be"),
        ("loaded=Z9", "Z9 not among the compartments"),
        ("auto_take_s=soon", "auto_take_s"),
    ],
)
def test_bad_urls_fail_loudly(tmp_path, query, message):
    with pytest.raises(DriverUnavailable, match=message):
        sim(tmp_path, query)
