"""Submitting a dossier, step 4: the appointment slip, on screen and printed.

``app.replace("dossier_slip", receipt=receipt)`` with the ``Receipt`` of ``kiosk.dossiers.submit``.
The screen shows what the printed slip says: the dossier code (or, while the dossier still waits in
the kiosk's outbox, the kiosk reference with a notice that it will be sent by itself), the procedure,
the applicant, when it was received, the expected result date with its number of working days, how
the result is returned, a QR code for looking it up at any kiosk (``MOTCUA:D:<code>``) and the
center's hotline. Below it, how printing went: printed; failed, with "Try again"; or no printer, in
which case the slip stays on screen for a photo. "Print a copy" prints another one, "Finish" ends the
dossier flow (``app.finish_visit``, which asks for a rating first). Printing runs on its own thread.

Without a receipt the screen shows the last one of the visit, or says there is none.
"""

from __future__ import annotations

import logging

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk import references
from kiosk.dossiers.desk import MSG_OFFLINE_NOTICE
from kiosk.i18n import N_
from kiosk.printing import slips
from screens.base import KioskScreen
from screens.dossier_form import DRAFT
from screens.ticket_parts import QrCode, in_background, load_kv  # noqa: F401  (QrCode: the .kv file uses it)

log = logging.getLogger(__name__)

TITLE = N_("Your appointment slip")
GUIDANCE = N_("Your dossier has been received. Please take your appointment slip.")
MSG_PRINTED = N_("Your slip has been printed. Please take it from the printer.")
MSG_PRINTING = N_("Printing your slip…")
MSG_NO_RECEIPT = N_("There is no dossier receipt to show.")
MSG_PRINT_AGAIN_FAILED = N_("The slip could not be printed. Please ask at the reception desk.")


def when_text(value) -> str:
    return value.strftime("%d/%m/%Y %H:%M")


class DossierSlipScreen(KioskScreen):
    receipt = ObjectProperty(None, allownone=True)
    busy = BooleanProperty(False)
    #: What the slip says, ready to show.
    code_label = StringProperty("")
    code = StringProperty("")
    qr = StringProperty("")
    procedure_name = StringProperty("")
    applicant = StringProperty("")
    received = StringProperty("")
    expected = StringProperty("")
    returned = StringProperty("")
    hotline = StringProperty("")
    offline = StringProperty("")
    print_state = StringProperty("")
    print_message = StringProperty("")

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = TITLE
        self.guidance = GUIDANCE
        self.app.bind(language=lambda *_a: self.refresh())

    def show(self, receipt=None, **_params) -> None:
        if receipt is None:
            receipt = self._last_receipt()
        self.receipt = receipt
        self.guidance = GUIDANCE if receipt is not None else MSG_NO_RECEIPT
        self.refresh()

    def reset(self) -> None:
        self.receipt = None
        self.busy = False
        self.refresh()

    @property
    def desk(self):
        return getattr(self.kiosk, "dossiers", None)

    # --- the citizen's choices ----------------------------------------------------------------

    def try_again(self) -> None:
        self._reprint()

    def print_copy(self) -> None:
        self._reprint()

    def finish(self) -> None:
        receipt = self.receipt
        service = receipt.procedure.service if receipt is not None else None
        finish = getattr(self.app, "finish_visit", None)
        if finish is not None:
            finish(service=service)
        else:
            self.app.end_visit("done")

    # --- inside -------------------------------------------------------------------------------

    def _last_receipt(self):
        visit = self.app.visit
        if visit is None:
            return None
        draft = visit.form.get(DRAFT)
        if isinstance(draft, dict) and draft.get("receipt") is not None:
            return draft["receipt"]
        desk = self.desk
        if desk is not None and hasattr(desk, "receipts"):
            kept = desk.receipts(visit)
            return kept[-1] if kept else None
        return None

    def _reprint(self) -> None:
        receipt, desk = self.receipt, self.desk
        if receipt is None or desk is None or self.busy:
            return
        self.busy = True
        visit = self.app.visit
        self.print_message = MSG_PRINTING

        def done(_result) -> None:
            self.busy = False
            if self.app.visit is visit and self.receipt is receipt:
                self.refresh()
                if self.print_message:
                    self.app.say(self.print_message)

        def failed(err) -> None:
            log.error("slip reprint failed: %s", type(err).__name__)
            self.busy = False
            if self.app.visit is visit and self.receipt is receipt:
                self.refresh()
                self.print_message = MSG_PRINT_AGAIN_FAILED

        in_background(lambda: desk.reprint(receipt), done, failed, name="dossier-slip")

    def refresh(self) -> None:
        receipt = self.receipt
        t, language = self.app.t, self.app.language
        if receipt is None:
            for name in ("code_label", "code", "qr", "procedure_name", "applicant", "received", "expected",
                         "returned", "hotline", "offline", "print_state"):
                setattr(self, name, "")
            self.print_message = MSG_NO_RECEIPT
            return
        self.code_label = t(slips.DOSSIER_CODE if receipt.code else slips.KIOSK_REFERENCE)
        self.code = receipt.lookup_code
        self.qr = references.dossier_code(receipt.lookup_code)
        self.procedure_name = receipt.procedure.title(language)
        self.applicant = t(slips.APPLICANT, name=receipt.owner_name)
        self.received = t(slips.RECEIVED, when=when_text(receipt.received_at))
        if receipt.expected_result_date is not None:
            days = t(slips.SAME_DAY) if receipt.working_days <= 0 else t(slips.WORKING_DAYS, days=receipt.working_days)
            self.expected = f"{t(slips.EXPECTED, date=receipt.expected_result_date.strftime('%d/%m/%Y'))} {days}"
        else:
            self.expected = t(slips.EXPECTED_UNKNOWN)
        self.returned = t(slips.RETURNED, methods=slips.method_names(receipt.result_methods, language))
        self.hotline = t(slips.HOTLINE, hotline=receipt.hotline) if receipt.hotline else ""
        self.offline = MSG_OFFLINE_NOTICE if not receipt.code else ""
        self.print_state = receipt.state
        message = receipt.message if receipt.message != MSG_OFFLINE_NOTICE else None
        if receipt.state == "printed":
            self.print_message = message or MSG_PRINTED
        elif receipt.state == "pending":
            self.print_message = MSG_PRINTING
        else:
            self.print_message = message or ""
