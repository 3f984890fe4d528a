"""The appointment slip (a dossier was received) and the pickup slip (its result was handed over).

Both are laid out with the same blocks as queue tickets (``kiosk.printing.layout``) and printed with the
same job builder (``kiosk.printing.job.slip_job``): Vietnamese lines as raster strips, codes and dates
in the printer's own font, the QR code with the printer's QR command. ``appointment_image`` and
``pickup_image`` draw the same blocks as a picture for the screen.

The appointment slip, from the top: the center, the title, the dossier code in large type (or, while
the kiosk could not reach the center, the kiosk's reference and a line saying the dossier will be sent
by itself), the procedure, the owner's name, when it was received, the expected result date with its
number of working days, how the result is returned, a QR code for look-up (``MOTCUA:D:<code>``) and
the hotline. Texts are in the visit's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.i18n import N_, translate
from kiosk.printing import layout
from kiosk.printing.job import SlipJob, slip_job
from kiosk.printing.layout import QR, Block, Rule, Space, Text
from kiosk.references import dossier_code

APPOINTMENT_TITLE = N_("Dossier receipt and appointment")
DOSSIER_CODE = N_("Dossier code")
KIOSK_REFERENCE = N_("Kiosk reference")
NOT_SENT_YET = N_("Not yet sent to the center: the kiosk sends it by itself as soon as it can. "
                  "This reference works for look-up.")
APPLICANT = N_("Applicant: {name}")
RECEIVED = N_("Received: {when}")
EXPECTED = N_("Expected result: {date}")
WORKING_DAYS = N_("({days} working days)")
SAME_DAY = N_("(same working day)")
EXPECTED_UNKNOWN = N_("Expected result date: the center will confirm it.")
RETURNED = N_("The result is returned: {methods}")
SCAN_DOSSIER = N_("Scan this code at the kiosk to follow your dossier.")
KEEP_SLIP = N_("Please keep this slip to collect your result.")
COPY = N_("Reprinted copy")
HOTLINE = N_("Hotline: {hotline}")

PICKUP_TITLE = N_("Result handed over")
HANDED_OVER = N_("Handed over: {when}")
COMPARTMENT = N_("Locker compartment {compartment}")
NOT_RECORDED_YET = N_("The kiosk will tell the center as soon as it can.")
THANKS = N_("Thank you for using the service.")

#: How each way of returning a result reads on the slip and the procedure page.
RESULT_METHODS = {
    "in_person": N_("in person at the center"),
    "post": N_("by post"),
    "electronic": N_("electronically"),
}

CODE_MM = 4.2
QR_MM = 26.0


def _when(value: dt.datetime) -> str:
    return value.strftime("%d/%m/%Y %H:%M")


def method_names(methods, language: str) -> str:
    return ", ".join(translate(RESULT_METHODS.get(m, m), language) for m in methods)


@dataclass(frozen=True)
class PickupSlip:
    center_name: str
    code: str
    procedure_name: str
    owner_name: str
    handed_over_at: dt.datetime
    compartment: str | None = None
    recorded: bool = True
    hotline: str = ""


def appointment_blocks(receipt, language: str, center_name: str, copy: bool = False) -> list[Block]:
    """The blocks of the appointment slip of ``receipt`` (a ``kiosk.dossiers.desk.Receipt``)."""

    def t(message: str, **values: object) -> str:
        return translate(message, language, **values)

    blocks: list[Block] = [
        Text(center_name, size_mm=2.4, bold=True, align="center"),
        Rule(),
        Text(t(APPOINTMENT_TITLE), size_mm=3.0, bold=True, align="center"),
        Space(1.0),
    ]
    if receipt.code:
        blocks += [Text(t(DOSSIER_CODE), size_mm=2.4, align="center"),
                   Text(receipt.code, size_mm=CODE_MM, bold=True, align="center")]
    else:
        blocks += [Text(t(KIOSK_REFERENCE), size_mm=2.4, align="center"),
                   Text(receipt.kiosk_reference, size_mm=CODE_MM, bold=True, align="center"),
                   Text(t(NOT_SENT_YET), size_mm=2.2, bold=True, align="center")]
    blocks += [
        Space(1.0),
        Text(receipt.procedure.title(language), size_mm=2.8, bold=True, align="center"),
        Text(t(APPLICANT, name=receipt.owner_name), size_mm=2.4),
        Text(t(RECEIVED, when=_when(receipt.received_at)), size_mm=2.4),
    ]
    if receipt.expected_result_date is not None:
        days = t(SAME_DAY) if receipt.working_days == 0 else t(WORKING_DAYS, days=receipt.working_days)
        blocks += [Text(t(EXPECTED, date=receipt.expected_result_date.strftime("%d/%m/%Y")), size_mm=3.0, bold=True),
                   Text(days, size_mm=2.4)]
    else:
        blocks.append(Text(t(EXPECTED_UNKNOWN), size_mm=2.6, bold=True))
    if receipt.result_methods:
        blocks.append(Text(t(RETURNED, methods=method_names(receipt.result_methods, language)), size_mm=2.4))
    blocks += [Space(1.0), QR(dossier_code(receipt.lookup_code), size_mm=QR_MM),
               Text(t(SCAN_DOSSIER), size_mm=2.0, align="center")]
    if copy:
        blocks.append(Text(t(COPY), size_mm=2.2, align="center"))
    blocks += [Rule(dashed=True), Text(t(KEEP_SLIP), size_mm=2.2, bold=True, align="center")]
    if receipt.hotline:
        blocks.append(Text(t(HOTLINE, hotline=receipt.hotline), size_mm=2.0, align="center"))
    return blocks


def pickup_blocks(slip: PickupSlip, language: str) -> list[Block]:
    def t(message: str, **values: object) -> str:
        return translate(message, language, **values)

    blocks: list[Block] = [
        Text(slip.center_name, size_mm=2.4, bold=True, align="center"),
        Rule(),
        Text(t(PICKUP_TITLE), size_mm=3.0, bold=True, align="center"),
        Space(1.0),
        Text(t(DOSSIER_CODE), size_mm=2.4, align="center"),
        Text(slip.code, size_mm=CODE_MM, bold=True, align="center"),
        Space(1.0),
        Text(slip.procedure_name, size_mm=2.8, bold=True, align="center"),
        Text(t(APPLICANT, name=slip.owner_name), size_mm=2.4),
        Text(t(HANDED_OVER, when=_when(slip.handed_over_at)), size_mm=2.4),
    ]
    if slip.compartment:
        blocks.append(Text(t(COMPARTMENT, compartment=slip.compartment), size_mm=2.4))
    if not slip.recorded:
        blocks.append(Text(t(NOT_RECORDED_YET), size_mm=2.2, bold=True))
    blocks += [Space(1.0), QR(dossier_code(slip.code), size_mm=QR_MM * 0.8), Rule(dashed=True),
               Text(t(THANKS), size_mm=2.2, bold=True, align="center")]
    if slip.hotline:
        blocks.append(Text(t(HOTLINE, hotline=slip.hotline), size_mm=2.0, align="center"))
    return blocks


def _job(blocks: list[Block], dots: int, text_mode: str, profile: str | None) -> SlipJob:
    kwargs = {"profile": profile} if profile else {}
    return slip_job(blocks, dots=dots, text_mode=text_mode, **kwargs)


def appointment_job(receipt, language: str, center_name: str, *, copy: bool = False, dots: int = 576,
                    text_mode: str = "raster", profile: str | None = None) -> SlipJob:
    return _job(appointment_blocks(receipt, language, center_name, copy), dots, text_mode, profile)


def pickup_job(slip: PickupSlip, language: str, *, dots: int = 576, text_mode: str = "raster",
               profile: str | None = None) -> SlipJob:
    return _job(pickup_blocks(slip, language), dots, text_mode, profile)


def appointment_image(receipt, language: str, center_name: str, dots: int = 576):
    """The appointment slip as a 1-bit picture ``dots`` wide (what the screen shows)."""
    return layout.render(appointment_blocks(receipt, language, center_name), dots)


def pickup_image(slip: PickupSlip, language: str, dots: int = 576):
    return layout.render(pickup_blocks(slip, language), dots)
