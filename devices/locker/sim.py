"""The simulated result locker: compartments with a lock, a door and an occupancy sensor.

URL: ``sim://?compartments=A1,A2,B1&loaded=A1&auto_take_s=2``

Each compartment is either locked (door shut) or open, and occupied or empty. The kiosk only opens
doors; the rest is done by people, and tests play them:

* ``load(c)``: staff put a result in (from the back, any time);
* ``take(c)``: the citizen takes it out (the door must be open);
* ``close(c)``: the door is pushed shut and the lock catches.

``loaded`` lists compartments that start occupied. ``auto_take_s`` plays a punctual citizen for
demos: that many seconds after a door opens, its result is taken and the door closed.

Faults (``set_fault(fault, compartment)``, undone by ``clear_fault``):

* ``jammed``: the lock does not release; ``open`` raises ``LockerJammed`` and the state says jammed.
* ``door_left_open``: the door does not latch; ``close`` leaves it open, so ``wait_closed`` raises
  ``DoorLeftOpen``. (A citizen who simply walks away is a test that never calls ``close``.)
* ``sensor_failure`` (one compartment, or all when none is named): ``state`` raises ``DeviceTimeout``.
* ``offline`` (the whole board): every operation raises ``DeviceDisconnected``.

Health: ``offline`` or a failed sensor is an error; a jammed or unlatching compartment a warning (the
others still work), an error when every compartment is jammed.

Every change is recorded in ``events`` (kind, compartment, time); ``wait_event`` blocks until one
arrives. Everything is guarded by one lock, so tests may act from any thread.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from devices.errors import DeviceDisconnected, DeviceTimeout, DoorLeftOpen, DriverUnavailable, LockerError, LockerJammed
from devices.ports import CompartmentState, DeviceURL, Health, ResultLocker
from devices.locker.labels import parse_labels

FAULTS = ("jammed", "door_left_open", "sensor_failure", "offline")
EVENT_KINDS = ("opened", "closed", "loaded", "taken", "jammed", "fault", "fault_cleared")


@dataclass(frozen=True)
class LockerEvent:
    kind: str
    compartment: str
    at: float


@dataclass
class _Compartment:
    door_open: bool = False
    occupied: bool = False
    jammed: bool = False
    unlatching: bool = False
    sensor_failed: bool = False


class SimulatedLocker(ResultLocker):
    def __init__(self, labels: list[str], loaded: list[str] = (), auto_take_s: float | None = None):
        if not labels:
            raise ValueError("a locker needs at least one compartment")
        self._labels = list(labels)
        self._doors = {label: _Compartment() for label in self._labels}
        self.auto_take_s = auto_take_s
        self._offline = False
        self._cond = threading.Condition()
        self._events: list[LockerEvent] = []
        self._timers: list[threading.Timer] = []
        for label in loaded:
            self._door(label).occupied = True

    @classmethod
    def from_url(cls, url: DeviceURL, context) -> "SimulatedLocker":
        labels = parse_labels(url.param("compartments"))
        loaded = [x.strip().upper() for x in url.param("loaded", "").split(",") if x.strip()]
        unknown = [x for x in loaded if x not in labels]
        if unknown:
            raise DriverUnavailable(f"locker: loaded: {', '.join(unknown)} not among the compartments")
        auto_take = url.param("auto_take_s")
        try:
            auto_take_s = float(auto_take) if auto_take else None
        except ValueError:
            raise DriverUnavailable(f"locker: auto_take_s: must be a number of seconds, got {auto_take!r}") from None
        if auto_take_s is not None and not 0 <= auto_take_s <= 600:
            raise DriverUnavailable(f"locker: auto_take_s: must be 0 to 600 seconds, got {auto_take_s:g}")
        return cls(labels, loaded, auto_take_s)

    # --- the port ---------------------------------------------------------------------------------

    def compartments(self) -> list[str]:
        return list(self._labels)

    def open(self, compartment: str) -> None:
        with self._cond:
            label, door = self._online_door(compartment)
            if door.jammed:
                self._record("jammed", label)
                raise LockerJammed(f"locker: compartment {label} did not open (lock jammed)")
            door.door_open = True
            self._record("opened", label)
            if self.auto_take_s is not None:
                timer = threading.Timer(self.auto_take_s, self._citizen_takes, args=(label,))
                timer.daemon = True
                self._timers = [t for t in self._timers if t.is_alive()] + [timer]
                timer.start()

    def state(self, compartment: str) -> CompartmentState:
        with self._cond:
            label, door = self._online_door(compartment)
            if door.sensor_failed:
                raise DeviceTimeout(f"locker: sensors of compartment {label} do not answer")
            return CompartmentState(door_open=door.door_open, occupied=door.occupied, jammed=door.jammed)

    def wait_closed(self, compartment: str, timeout: float, poll_s: float = 0.25) -> CompartmentState:
        """Block until the door is shut (woken by ``close``, no polling); ``DoorLeftOpen`` after ``timeout``."""
        label = self._label(compartment)

        def settled() -> bool:
            door = self._doors[label]
            return self._offline or door.sensor_failed or not door.door_open

        with self._cond:
            if not self._cond.wait_for(settled, timeout):
                raise DoorLeftOpen(f"locker: door of compartment {label} still open after {timeout:g} s")
            return self.state(label)

    def health(self) -> Health:
        with self._cond:
            if self._offline:
                return Health("error", "locker board not answering (simulated fault)")
            failed = [label for label, door in self._doors.items() if door.sensor_failed]
            if failed:
                return Health("error", f"sensors not answering: {', '.join(failed)}")
            jammed = [label for label, door in self._doors.items() if door.jammed]
            if jammed and len(jammed) == len(self._labels):
                return Health("error", "every compartment is jammed")
            problems = [f"jammed: {', '.join(jammed)}"] if jammed else []
            unlatching = [label for label, door in self._doors.items() if door.unlatching]
            if unlatching:
                problems.append(f"door does not latch: {', '.join(unlatching)}")
            if problems:
                return Health("warning", "; ".join(problems))
            occupied = sum(door.occupied for door in self._doors.values())
            return Health("ok", f"simulated locker, {len(self._labels)} compartments, {occupied} occupied")

    def close(self, compartment: str | None = None) -> None:
        """Push the door of ``compartment`` shut; with no compartment, release the device (port ``close``)."""
        if compartment is None:
            with self._cond:
                timers, self._timers = self._timers, []
            for timer in timers:
                timer.cancel()
            return
        with self._cond:
            label, door = self._online_door(compartment)
            if door.unlatching or not door.door_open:
                return
            door.door_open = False
            self._record("closed", label)

    # --- what people do ---------------------------------------------------------------------------

    def load(self, compartment: str) -> None:
        with self._cond:
            label, door = self._online_door(compartment)
            door.occupied = True
            self._record("loaded", label)

    def take(self, compartment: str) -> None:
        with self._cond:
            label, door = self._online_door(compartment)
            if not door.door_open:
                raise ValueError(f"compartment {label} is shut: nothing can be taken out")
            door.occupied = False
            self._record("taken", label)

    def _citizen_takes(self, label: str) -> None:
        with self._cond:
            door = self._doors[label]
            if self._offline or not door.door_open:
                return
            if door.occupied:
                self.take(label)
            self.close(label)

    # --- faults and events ------------------------------------------------------------------------

    def set_fault(self, fault: str, compartment: str | None = None) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown locker fault {fault!r} (expected one of {', '.join(FAULTS)})")
        with self._cond:
            if fault == "offline":
                self._offline = True
            elif fault == "sensor_failure" and compartment is None:
                for door in self._doors.values():
                    door.sensor_failed = True
            else:
                if compartment is None:
                    raise ValueError(f"fault {fault!r} needs a compartment")
                door = self._door(compartment)
                setattr(door, {"jammed": "jammed", "door_left_open": "unlatching",
                               "sensor_failure": "sensor_failed"}[fault], True)
            self._record("fault", self._label(compartment) if compartment else "*")

    def clear_fault(self, compartment: str | None = None) -> None:
        """Clear every fault of ``compartment``, or all faults when none is named."""
        with self._cond:
            doors = [self._door(compartment)] if compartment else list(self._doors.values())
            for door in doors:
                door.jammed = door.unlatching = door.sensor_failed = False
            if compartment is None:
                self._offline = False
            self._record("fault_cleared", self._label(compartment) if compartment else "*")

    @property
    def events(self) -> list[LockerEvent]:
        with self._cond:
            return list(self._events)

    def wait_event(self, kind: str, compartment: str | None = None, timeout: float | None = None,
                   after: int = 0) -> LockerEvent | None:
        """The first event of ``kind`` (for ``compartment``) at index ``after`` or later; ``None`` on timeout."""
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown locker event {kind!r}")
        label = self._label(compartment) if compartment else None

        def find() -> LockerEvent | None:
            for event in self._events[after:]:
                if event.kind == kind and (label is None or event.compartment == label):
                    return event
            return None

        with self._cond:
            self._cond.wait_for(lambda: find() is not None, timeout)
            return find()

    def _record(self, kind: str, label: str) -> None:
        self._events.append(LockerEvent(kind, label, time.time()))
        self._cond.notify_all()

    def _label(self, compartment: str) -> str:
        label = str(compartment).strip().upper()
        if label not in self._doors:
            raise LockerError(f"locker: no compartment {compartment!r} (this locker has {', '.join(self._labels)})")
        return label

    def _door(self, compartment: str) -> _Compartment:
        return self._doors[self._label(compartment)]

    def _online_door(self, compartment: str) -> tuple[str, _Compartment]:
        label = self._label(compartment)
        if self._offline:
            raise DeviceDisconnected("locker: board not answering (simulated fault)")
        return label, self._doors[label]
