"""Handing a finished result to its owner at this kiosk's locker, and recording the handover.

``Pickups.pickup(code, identity, on_step)`` checks with the central service that the card is the
owner's and the result is ready, finds the compartment staff put it in (it must be this kiosk's
locker), and then, telling the screen each step through ``on_step``:

``opening``    the compartment is checked (it must hold something) and unlocked;
``open``       the door is open: the citizen takes the result and closes the door;
``closed``     the door is shut and the compartment is empty;
``recording``  the handover is recorded at the central service (kiosk name and compartment);
``printed`` / ``print_failed``  the pickup slip.

A jammed lock, a door left open past ``door_timeout_s``, a door closed with the result still inside,
or a locker that does not answer stops the pickup with a ``DossierError`` before anything is recorded,
and staff are alerted. When the central service cannot be reached at the moment of recording, the
handover goes through the outbox (``dossier_pickup`` jobs, the ID number sealed) under the same
idempotency key, so it is recorded once, later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from devices.errors import DeviceError, DoorLeftOpen, LockerJammed
from kiosk.api.client import new_key
from kiosk.api.errors import CentralError, CentralUnavailable
from kiosk.dossiers.errors import DossierError
from kiosk.dossiers.refusals import refusal
from kiosk.i18n import N_
from kiosk.outbox.policy import JobError
from kiosk.printing import slips

log = logging.getLogger(__name__)

SCREEN = "dossier_pickup"

MSG_AT_COUNTER = N_("Your result is handed out at counter {counter}. Please take a queue number for it.")
MSG_AT_DESK = N_("Your result is handed out at the counter. Please ask at the reception desk.")
MSG_EMPTY = N_("Your result is not in its compartment yet. Staff have been called and will bring it to you.")
MSG_JAMMED = N_("The compartment did not open. Staff have been called and will bring your result.")
MSG_DOOR_OPEN = N_("The compartment door was not closed. Staff have been called. Please close the door if you "
                   "have taken your result.")
MSG_STILL_INSIDE = N_("Your result is still in the compartment. Staff have been called to help you.")
MSG_LOCKER_FAULT = N_("The locker is not working right now. Staff have been called and will bring your result.")
MSG_NOT_RECORDED = N_("You have your result, but the center did not record the handover. Staff have been told.")
MSG_SLIP_FAILED = N_("You have your result, but the pickup slip could not be printed. Staff have been called.")


def deliver_pickup(d, job) -> dict:
    """Outbox handler of ``dossier_pickup`` jobs: ``POST /dossiers/{code}/pickup`` with the job's key."""
    personal = d.outbox.personal(job)
    code, id_number = job.payload.get("code"), personal.get("id_number")
    if not code or not id_number:
        raise JobError(f"dossier_pickup job {job.id} is damaged")
    return d.client.pickup(code, id_number, job.payload.get("kiosk", ""), job.payload.get("compartment"), job.key)


class Pickups:
    def __init__(self, desk, locker, *, door_timeout_s: float = 120.0):
        self.desk = desk
        self.locker = locker
        self.door_timeout_s = door_timeout_s
        #: The last pickup slip made (for the screen), ``None`` before the first.
        self.last_slip: slips.PickupSlip | None = None

    @property
    def kiosk_name(self) -> str:
        return self.desk.config.kiosk.id

    def place(self, details: dict) -> str | None:
        """The compartment of this kiosk's locker that holds the result, else ``None``."""
        locker = details.get("locker") if isinstance(details, dict) else None
        if not isinstance(locker, dict) or self.locker is None:
            return None
        if locker.get("kiosk") != self.kiosk_name:
            return None
        compartment = str(locker.get("compartment") or "").strip().upper()
        try:
            labels = self.locker.compartments()
        except DeviceError:
            return None
        return compartment if compartment in labels else None

    def pickup(self, code: str, identity, on_step: Callable[[str], None] | None = None, language: str = "vi") -> dict:
        step = on_step or (lambda _name: None)
        details = self.desk.details(code, identity)
        status = details.get("status")
        handle = str(details.get("code") or code)
        if status == "handed_over":
            raise DossierError(f"dossier {handle} already handed over", N_("The result of this dossier has already "
                               "been handed over."), code="already_handed_over")
        if status != "ready_for_pickup":
            raise DossierError(f"dossier {handle} is {status}, not ready", N_("The result is not ready yet. Please "
                               "come back on the expected date."), code="not_ready")
        compartment = self.place(details)
        if compartment is None:
            self._elsewhere(handle, details)
        step("opening")
        self._hand_over(handle, compartment, step)
        step("closed")
        step("recording")
        citizen = getattr(identity, "citizen", identity)
        recorded = self._record(handle, citizen.id_number, compartment)
        printed = self._print(handle, details, citizen.full_name, compartment, recorded, language)
        step("printed" if printed else "print_failed")
        message = None if recorded else MSG_NOT_RECORDED
        if not printed:
            message = message or MSG_SLIP_FAILED
        return {"code": handle, "compartment": compartment, "recorded": recorded, "printed": printed,
                "message": message}

    def _elsewhere(self, handle: str, details: dict) -> None:
        locker = details.get("locker")
        if isinstance(locker, dict) and locker.get("kiosk") and locker.get("kiosk") != self.kiosk_name:
            raise DossierError(f"result of {handle} waits at kiosk {locker.get('kiosk')}",
                               N_("Your result is waiting in the locker of another kiosk ({kiosk}). Please go "
                                  "there or ask the staff."), code="wrong_kiosk", kiosk=str(locker.get("kiosk")))
        counter = details.get("counter")
        if counter:
            raise DossierError(f"result of {handle} is handed out at counter {counter}", MSG_AT_COUNTER,
                               code="at_counter", counter=str(counter))
        raise DossierError(f"result of {handle} is handed out at a counter", MSG_AT_DESK, code="at_counter", counter="")

    def _fault(self, kind: str, handle: str, compartment: str, err: object, message: str, code: str) -> DossierError:
        detail = f"dossier {handle}, compartment {compartment}: {err}"
        self.desk.alert(kind, SCREEN, detail[:1000])
        log.warning("pickup of %s stopped: %s", handle, err)
        return DossierError(detail, message, code=code)

    def _hand_over(self, handle: str, compartment: str, step: Callable[[str], None]) -> None:
        locker = self.locker
        try:
            before = locker.state(compartment)
            if before.jammed:
                raise LockerJammed(f"compartment {compartment} reports a jammed lock")
            if not before.occupied:
                raise self._fault("locker_empty", handle, compartment, "compartment is empty", MSG_EMPTY,
                                  "locker_empty")
            locker.open(compartment)
            step("open")
            after = locker.wait_closed(compartment, self.door_timeout_s)
        except LockerJammed as err:
            raise self._fault("locker_jammed", handle, compartment, err, MSG_JAMMED, "locker_jammed") from None
        except DoorLeftOpen as err:
            raise self._fault("locker_door_open", handle, compartment, err, MSG_DOOR_OPEN, "door_left_open") from None
        except DeviceError as err:
            raise self._fault("locker_fault", handle, compartment, err, MSG_LOCKER_FAULT, "locker_fault") from None
        if after.door_open:
            raise self._fault("locker_door_open", handle, compartment, "door still open", MSG_DOOR_OPEN,
                              "door_left_open")
        if after.occupied:
            raise self._fault("locker_occupied", handle, compartment, "door closed with the result inside",
                              MSG_STILL_INSIDE, "still_occupied")

    def _record(self, handle: str, id_number: str, compartment: str | None) -> bool:
        """Record the handover now; through the outbox when the service cannot be reached."""
        key = new_key()
        try:
            self.desk.client.pickup(handle, id_number, self.kiosk_name, compartment, key)
            log.info("dossier %s handed over at compartment %s", handle, compartment)
            return True
        except CentralUnavailable as err:
            payload = {"code": handle, "kiosk": self.kiosk_name, "compartment": compartment}
            self.desk.outbox.enqueue("dossier_pickup", payload, personal={"id_number": id_number}, key=key)
            if self.desk.worker is not None:
                self.desk.worker.wake()
            log.info("handover of %s queued: %s", handle, err)
            return False
        except CentralError as err:
            problem = refusal(err, f"handover of {handle}")
            self.desk.alert("pickup_not_recorded", SCREEN, problem.detail[:1000])
            return False

    def _print(self, handle: str, details: dict, owner_name: str, compartment: str | None, recorded: bool,
               language: str) -> bool:
        desk = self.desk
        printer = desk.printer
        name = details.get("procedure_name") or {}
        procedure_name = name.get(language) or name.get("vi") or str(details.get("procedure") or "")
        slip = slips.PickupSlip(center_name=desk.config.center.name, code=handle, procedure_name=procedure_name,
                                owner_name=owner_name, handed_over_at=desk.now().replace(microsecond=0),
                                compartment=compartment, recorded=recorded, hotline=desk.config.center.hotline)
        self.last_slip = slip
        if printer is None:
            return False
        try:
            job = slips.pickup_job(slip, language, dots=printer.dots_per_line, text_mode=desk.config.printer.text_mode,
                                   profile=getattr(printer, "profile", None))
            printer.send(job.data)
        except DeviceError as err:
            desk.alert("print_failed", SCREEN, f"pickup slip of dossier {handle}: {err}"[:1000])
            if desk.monitor is not None:
                desk.monitor.check()
            return False
        return True

