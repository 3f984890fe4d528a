"""The dossier counter of the kiosk: submit, appointment slip, look-up, owner details, pickup, rating.

``DossierDesk.submit`` checks the form, takes a kiosk reference (``K1-261122-0007``) and queues the
dossier with its documents in the outbox under that reference, so it is sent exactly once, offline or
not: the same submit repeated (a double touch, a retry after a crash) finds its reference again and
queues nothing new, and the central service makes one dossier per reference. It then waits a moment
(``wait_s``) for the delivery: when it arrives in time the receipt carries central's dossier code and
expected date; otherwise the kiosk reference, the date counted on the last office calendar it fetched
(``kiosk.dossiers.calendar``) and a notice that the dossier will be sent by itself.

The appointment slip is printed with the ticket printer's rules: a fault alerts staff, the receipt
says why (``message``) and stays on screen, ``reprint`` tries again or prints a copy. The receipt is
kept sealed in the visit's files (``submit(visit=...)``, ``receipts(visit)``).

Look-ups and owner views go to the central service (``refusals`` says what each refusal tells the
citizen); a dossier still waiting in this kiosk's outbox shows as ``queued``. Result pickup at the
locker is ``kiosk.dossiers.pickup``. Nothing here logs a name or an ID number.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from devices.errors import DeviceDisconnected, DeviceError, PaperOut
from kiosk.api.errors import CentralError
from kiosk.dossiers.calendar import OfficeCalendar
from kiosk.dossiers.catalog import Catalog, Procedure
from kiosk.dossiers.errors import DossierError
from kiosk.dossiers.forms import autofill, normalized, problems
from kiosk.dossiers.ledger import Ledger
from kiosk.dossiers.pickup import Pickups, deliver_pickup
from kiosk.dossiers.receipt import Receipt, fingerprint
from kiosk.dossiers.refusals import refusal
from kiosk.i18n import N_
from kiosk.outbox import queue_alert, queue_dossier, queue_rating
from kiosk.printing import slips

log = logging.getLogger(__name__)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WAIT_S = 3.0
MAX_COPIES = 3
REFRESH_EVERY_S = 6 * 3600.0
REFRESH_RETRY_S = 300.0
RECEIPT_FILE = "receipt-{reference}.json"

MSG_IDENTIFY = N_("Please identify with your ID card first.")
MSG_FORM = N_("Some fields of the form are not filled in correctly. Please check them.")
MSG_DOCUMENT = N_("A scanned document does not belong to this procedure's checklist. Please scan it again "
                  "from the checklist.")
MSG_OFFLINE_NOTICE = N_("The center cannot be reached right now. Your dossier is saved at this kiosk and "
                        "will be sent automatically. Keep your slip: its reference works for look-up.")
MSG_NOT_ACCEPTED = N_("The center could not accept this dossier. Staff have been called; please ask at the "
                      "reception desk.")
MSG_PAPER_OUT = N_("The printer ran out of paper before your slip came out. Your dossier is received. "
                   "Staff have been called; touch \"Try again\" in a moment.")
MSG_PRINT_FAILED = N_("Your slip could not be printed. Your dossier is received. Staff have been called; "
                      "touch \"Try again\" in a moment.")
MSG_TORN = N_("The printer stopped in the middle of your slip. Staff have been called; touch \"Try again\" "
              "when the printer is back.")
MSG_SHOWN = N_("The slip cannot be printed, but your dossier is received. Take a photo of this screen or "
               "write down the code.")
MSG_COPY_FAILED = N_("The copy could not be printed. Staff have been called; keep the slip you have.")
MSG_NO_MORE_COPIES = N_("No more copies can be printed here. Please ask at the reception desk.")
MSG_QUEUED_DETAILS = N_("This dossier has not reached the center yet. Its details can be seen once it has "
                        "been sent.")
MSG_BAD_RATING = N_("Please choose one of the faces.")

STATUS_NAMES: dict[str, str] = {
    "queued": N_("Waiting to be sent"),
    "received": N_("Received"),
    "processing": N_("Being processed"),
    "needs_supplement": N_("More documents needed"),
    "ready_for_pickup": N_("Ready for pickup"),
    "handed_over": N_("Handed over"),
    "rejected": N_("Rejected"),
}

RATING_REASONS: tuple[tuple[str, str, str], ...] = (
    ("quick", "speed", N_("Quick")),
    ("friendly_staff", "support_agent", N_("Friendly staff")),
    ("clear_guidance", "info", N_("Clear guidance")),
    ("easy_kiosk", "touch_app", N_("Easy to use")),
    ("slow_wait", "hourglass_bottom", N_("Long wait")),
    ("unclear", "help_outline", N_("Hard to understand")),
    ("unfriendly", "sentiment_dissatisfied", N_("Unfriendly staff")),
    ("kiosk_problem", "report_problem", N_("Kiosk problem")),
)


class DossierDesk:
    def __init__(self, config, catalog: Catalog, client, outbox, *, worker=None, printer=None, monitor=None,
                 locker=None, sync=None, alert: Callable[[str, str, str], object] | None = None,
                 wait_s: float = WAIT_S, door_timeout_s: float = 120.0,
                 now: Callable[[], dt.datetime] | None = None):
        self.config = config
        self.catalog = catalog
        self.client = client
        self.outbox = outbox
        self.worker = worker
        self.printer = printer
        self.monitor = monitor
        self.sync = sync
        self.wait_s = wait_s
        self.now = now or (lambda: dt.datetime.now(TZ))
        #: ``alert(kind, screen, detail)``: tells staff (``Kiosk.alert_staff``); the outbox by default.
        self.alert = alert or self._queue_alert
        self.ledger = Ledger(outbox, config.kiosk.offline_prefix, self.now())
        self.pickups = Pickups(self, locker, door_timeout_s=door_timeout_s)
        self._next_refresh = 0.0
        if worker is not None:
            worker.on_delivered("dossier", self._delivered)
            worker.handlers.setdefault("dossier_pickup", deliver_pickup)

    @property
    def locker(self):
        return self.pickups.locker

    # --- submitting -------------------------------------------------------------------------------

    def submit(self, procedure: Procedure, identity, values: dict, documents: list[dict], language: str,
               *, visit=None) -> Receipt:
        """Queue the dossier (exactly once), wait briefly for central's answer, print the slip."""
        if identity is None:
            raise DossierError("no identity in the visit", MSG_IDENTIFY, code="not_identified")
        citizen = getattr(identity, "citizen", identity)
        filled = {**values, **autofill(procedure, identity)}
        wrong = problems(procedure, filled)
        if wrong:
            error = DossierError(f"form of {procedure.code}: fields not right: {', '.join(sorted(wrong))}",
                                 MSG_FORM, code="form")
            error.problems = wrong
            raise error
        items = {item.id for item in procedure.documents}
        strays = [str(d.get("checklist_item")) for d in documents if d.get("checklist_item") not in items]
        if strays:
            raise DossierError(f"documents for {procedure.code} not on its checklist: {', '.join(strays)}",
                               MSG_DOCUMENT, code="document")
        form = normalized(procedure, filled)
        received = self.now().astimezone(TZ).replace(microsecond=0)
        submission = self.ledger.draw(fingerprint(procedure, citizen.id_number, form, documents),
                                      procedure.code, received)
        reference = submission.reference
        if submission.state == "failed":
            raise DossierError(f"dossier {reference} was refused by the center before", MSG_NOT_ACCEPTED,
                               code="refused")
        if submission.state == "drawn":
            body = {
                "procedure": procedure.code,
                "kiosk_reference": reference,
                "owner": _owner(citizen),
                "form": form,
                "submitted_at": submission.received_at.isoformat(),
            }
            queue_dossier(self.outbox, body, documents, key=reference)
            self.ledger.update(reference, "queued")
            log.info("dossier %s for %s queued with %d documents", reference, procedure.code, len(documents))
            if self.worker is not None:
                self.worker.wake()
        receipt = Receipt(
            procedure=procedure, owner_name=citizen.full_name, code=submission.code, kiosk_reference=reference,
            received_at=submission.received_at, expected_result_date=submission.expected,
            working_days=procedure.processing_days, result_methods=procedure.result_methods,
            hotline=self.config.center.hotline, state="pending", message=None, language=language,
        )
        if submission.code is None:
            self._await_central(receipt)
        self._print(receipt, copy=False)
        if visit is not None:
            self.keep(visit, receipt)
        return receipt

    def _await_central(self, receipt: Receipt) -> None:
        outcome = None
        if self.worker is not None and self.worker.running and self.wait_s > 0:
            outcome = self.worker.wait_for(receipt.kiosk_reference, self.wait_s)
        if outcome is not None and not outcome.delivered:
            self.ledger.update(receipt.kiosk_reference, "failed")
            self.alert("dossier_refused", "dossier_review",
                       f"dossier {receipt.kiosk_reference} ({receipt.procedure.code}) refused: {outcome.reason}"[:1000])
            raise DossierError(f"dossier {receipt.kiosk_reference} refused: {outcome.reason}", MSG_NOT_ACCEPTED,
                               code="refused")
        known = self.ledger.get(receipt.kiosk_reference)
        if outcome is not None and outcome.delivered and isinstance(outcome.result, dict):
            self._delivered_answer(receipt.kiosk_reference, outcome.result)
            known = self.ledger.get(receipt.kiosk_reference)
        if known is not None and known.code:
            receipt.code, receipt.expected_result_date = known.code, known.expected
            return
        receipt.expected_result_date = self.expected_offline(receipt.received_at, receipt.procedure.processing_days)
        receipt.message = MSG_OFFLINE_NOTICE

    def _delivered(self, job, answer) -> None:
        """The outbox delivered a dossier (on the delivery thread): remember central's code and date."""
        if isinstance(answer, dict):
            self._delivered_answer(job.key, answer)

    def _delivered_answer(self, reference: str, answer: dict) -> None:
        expected = None
        try:
            expected = dt.date.fromisoformat(str(answer.get("expected_result_date")))
        except ValueError:
            pass
        self.ledger.update(reference, "delivered", code=str(answer.get("code") or "") or None, expected=expected)

    def expected_offline(self, received: dt.datetime, processing_days: int) -> dt.date | None:
        cached = self.ledger.calendar()
        if cached is None:
            return None
        try:
            calendar = OfficeCalendar.from_answer(cached[0])
        except ValueError:
            return None
        return calendar.expected_result_date(received.astimezone(TZ), processing_days)

    # --- the slip -----------------------------------------------------------------------------------

    def _print(self, receipt: Receipt, copy: bool, fresh: bool = False) -> bool:
        state = None
        if self.monitor is not None:
            state = self.monitor.check() if fresh else self.monitor.state
        if self.printer is None or (state is not None and not state.can_print):
            receipt.state = "shown"
            receipt.message = MSG_SHOWN
            receipt.fault = state.detail if state is not None else "no printer configured"
            return False
        job = slips.appointment_job(receipt, receipt.language, self.config.center.name, copy=copy,
                                    dots=self.printer.dots_per_line, text_mode=self.config.printer.text_mode,
                                    profile=getattr(self.printer, "profile", None))
        try:
            self.printer.send(job.data)
        except DeviceError as err:
            self.alert("print_failed", "dossier_slip", f"slip of dossier {receipt.kiosk_reference}: {err}"[:1000])
            if self.monitor is not None:
                self.monitor.check()
            receipt.fault = str(err)
            if copy:
                receipt.message = MSG_COPY_FAILED
                return False
            torn = isinstance(err, DeviceDisconnected)
            receipt.state = "failed"
            receipt.message = MSG_TORN if torn else MSG_PAPER_OUT if isinstance(err, PaperOut) else MSG_PRINT_FAILED
            log.warning("slip of dossier %s not printed: %s", receipt.kiosk_reference, err)
            return False
        receipt.fault = None
        if copy:
            receipt.copies += 1
            receipt.message = None
        else:
            receipt.state = "printed"
            receipt.message = None if receipt.code else MSG_OFFLINE_NOTICE
        return True

    def reprint(self, receipt: Receipt) -> Receipt:
        """"Try again" after a print fault, or "Print a copy" of a printed slip."""
        known = self.ledger.get(receipt.kiosk_reference)
        if known is not None and known.code and not receipt.code:
            receipt.code, receipt.expected_result_date = known.code, known.expected or receipt.expected_result_date
        if receipt.state == "printed":
            if receipt.copies >= MAX_COPIES:
                receipt.message = MSG_NO_MORE_COPIES
                return receipt
            self._print(receipt, copy=True, fresh=True)
        else:
            self._print(receipt, copy=False, fresh=True)
        return receipt

    def slip_image(self, receipt: Receipt, language: str | None = None):
        """The appointment slip as a picture, for the screen."""
        dots = self.printer.dots_per_line if self.printer is not None else 576
        return slips.appointment_image(receipt, language or receipt.language, self.config.center.name, dots)

    # --- the receipt in the visit ---------------------------------------------------------------------

    def keep(self, visit, receipt: Receipt) -> None:
        files = getattr(visit, "files", None)
        if files is None:
            return
        try:
            files.write(RECEIPT_FILE.format(reference=receipt.kiosk_reference),
                        json.dumps(receipt.to_json(), ensure_ascii=False).encode("utf-8"))
        except Exception as err:  # the receipt is on screen either way
            log.warning("receipt %s not kept in the visit: %s", receipt.kiosk_reference, type(err).__name__)

    def receipts(self, visit) -> list[Receipt]:
        """The receipts of this visit, oldest first."""
        files = getattr(visit, "files", None)
        if files is None:
            return []
        found = []
        for name in sorted(files.names()):
            if name.startswith("receipt-") and name.endswith(".json"):
                try:
                    found.append(Receipt.from_json(json.loads(files.read(name)), self.catalog))
                except (ValueError, KeyError, TypeError, DossierError) as err:
                    log.warning("a receipt of the visit cannot be read: %s", type(err).__name__)
        return sorted(found, key=lambda r: r.received_at)

    # --- look-up and details --------------------------------------------------------------------------

    def _waiting(self, handle: str):
        """The submission of this kiosk ``handle`` names while its job still waits in the outbox."""
        known = self.ledger.get(handle)
        if known is None or known.code:
            return None
        status = self.ledger.job_status(known.reference)
        if status in ("queued", "in_flight"):
            return known
        if status == "failed" or (status is None and known.state == "drawn"):
            raise DossierError(f"dossier {known.reference} was never accepted by the center", MSG_NOT_ACCEPTED,
                               code="refused")
        return None

    def lookup(self, code: str) -> dict:
        """The public view: code, status, expected date, procedure and its name."""
        handle = _handle(code)
        waiting = self._waiting(handle)
        if waiting is not None:
            try:
                name = self.catalog.get(waiting.procedure).name
            except DossierError:
                name = None
            expected = waiting.expected or self.expected_offline(waiting.received_at,
                                                                 _days(self.catalog, waiting.procedure))
            return {"code": waiting.reference, "kiosk_reference": waiting.reference, "status": "queued",
                    "expected_result_date": expected.isoformat() if expected else None,
                    "procedure": waiting.procedure, "procedure_name": name}
        try:
            return self.client.dossier(handle)
        except CentralError as err:
            raise refusal(err, f"look-up of dossier {handle}") from None

    def details(self, code: str, identity) -> dict:
        """The full view, for the owner only (``owner_mismatch`` otherwise)."""
        if identity is None:
            raise DossierError("no identity in the visit", MSG_IDENTIFY, code="not_identified")
        handle = _handle(code)
        if self._waiting(handle) is not None:
            raise DossierError(f"dossier {handle} still waits in the outbox", MSG_QUEUED_DETAILS, code="queued")
        citizen = getattr(identity, "citizen", identity)
        try:
            return self.client.dossier_details(handle, citizen.id_number)
        except CentralError as err:
            raise refusal(err, f"details of dossier {handle}") from None

    def pickup_place(self, details: dict) -> str | None:
        return self.pickups.place(details)

    def pickup(self, code: str, identity, on_step: Callable[[str], None] | None = None, language: str = "vi") -> dict:
        return self.pickups.pickup(code, identity, on_step, language)

    # --- rating ---------------------------------------------------------------------------------------

    def rate(self, score: int, reasons: list[str], service: str | None, counter: str | None) -> None:
        known = {r[0] for r in RATING_REASONS}
        reasons = [r for r in dict.fromkeys(reasons or []) if r in known]
        try:
            queue_rating(self.outbox, score, reasons, service, counter)
        except ValueError as err:
            raise DossierError(str(err), MSG_BAD_RATING, code="rating") from None
        if self.worker is not None:
            self.worker.wake()

    # --- keeping the offline copies fresh ---------------------------------------------------------------

    def refresh(self) -> bool:
        """Fetch the office calendar (and the procedure list) now; ``False`` when the service did not answer."""
        try:
            answer = self.client.calendar()
            OfficeCalendar.from_answer(answer)
        except (CentralError, ValueError) as err:
            log.info("office calendar not refreshed: %s", err)
            return False
        self.ledger.save_calendar(answer, self.now())
        self.catalog.refresh(self.client)
        return True

    def refresh_if_due(self) -> None:
        """For a periodic timer: refresh every few hours (a failure: again in a few minutes), not while
        the service is known to be down."""
        now = time.monotonic()
        if now < self._next_refresh or (self.sync is not None and self.sync.failed_within(60.0)):
            return
        self._next_refresh = now + (REFRESH_EVERY_S if self.refresh() else REFRESH_RETRY_S)

    def _queue_alert(self, kind: str, screen: str, detail: str) -> None:
        try:
            queue_alert(self.outbox, kind, screen, detail)
            if self.worker is not None:
                self.worker.wake()
        except Exception as err:  # the citizen is told either way
            log.error("staff alert not queued: %s", type(err).__name__)


def _owner(citizen) -> dict:
    owner = {"id_number": citizen.id_number, "full_name": citizen.full_name}
    birth = getattr(citizen, "date_of_birth", None)
    if isinstance(birth, dt.date):
        owner["date_of_birth"] = birth.isoformat()
    for name in ("sex", "address"):
        value = getattr(citizen, name, None)
        if value:
            owner[name] = str(value)
    return owner


def _handle(code: str) -> str:
    handle = str(code or "").strip().upper()
    if not handle:
        raise DossierError("empty dossier code", N_("Please enter the code printed on your slip."), code="empty")
    return handle


def _days(catalog: Catalog, code: str) -> int:
    try:
        return catalog.get(code).processing_days
    except DossierError:
        return 0
