"""The printed queue ticket: what it says, laid out as slip blocks, and the job that prints it.

From the top: the center's name, "Your number" and the number in very large type (``A012``), a
priority mark, the service and its counters, people ahead and the estimated wait, a QR code that names
the ticket (``kiosk.references``), the date and time, and a short message. A ticket drawn while the
kiosk was offline says so. Texts are in the visit's language; the center's name as configured.

The number and the date are plain ASCII and print in the printer's own font, enlarged; lines with
Vietnamese letters are drawn (or sent through the printer's code page), see ``kiosk.printing.job``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.i18n import N_, translate
from kiosk.printing.job import SlipJob, slip_job
from kiosk.printing.layout import QR, Block, Rule, Space, Text
from kiosk.references import ticket_code

YOUR_NUMBER = N_("Your number")
PRIORITY = N_("Priority")
COUNTER = N_("Counter {counters}")
PEOPLE_AHEAD = N_("People ahead of you: {count}")
NEXT = N_("You are next.")
WAIT = N_("Estimated wait: about {minutes} min")
OFFLINE = N_("Issued while the kiosk was offline. Your number is valid.")
SCAN_HINT = N_("Scan this code at the kiosk to see your place in the queue.")
CLOSING = N_("Please wait until your number is called. Thank you!")
COPY = N_("Reprinted copy")
HOTLINE = N_("Hotline: {hotline}")

NUMBER_MM = 16.0
QR_MM = 26.0


@dataclass(frozen=True)
class TicketSlip:
    """Everything printed on one ticket; built from a ``kiosk.tickets.Ticket`` by ``slip_for``."""

    center_name: str
    number: str
    service_name: str
    issued_at: dt.datetime
    qr: str
    counters: tuple[str, ...] = ()
    position: int | None = None
    estimated_wait_minutes: int | None = None
    priority: bool = False
    offline: bool = False
    copy: bool = False
    hotline: str = ""


def slip_for(ticket, *, center_name: str, service_name: str, counters: tuple[str, ...] | list[str] = (),
             hotline: str = "", copy: bool = False) -> TicketSlip:
    """The slip of a ``kiosk.tickets.Ticket``; its QR names the central reference, else the kiosk's key."""
    shown = tuple(counters) or ((ticket.counter,) if ticket.counter else ())
    return TicketSlip(
        center_name=center_name,
        number=ticket.number,
        service_name=service_name,
        issued_at=ticket.issued_at,
        qr=ticket_code(ticket.reference or ticket.key),
        counters=shown,
        position=ticket.position,
        estimated_wait_minutes=ticket.estimated_wait_minutes,
        priority=ticket.priority,
        offline=ticket.offline,
        copy=copy,
        hotline=hotline,
    )


def ticket_blocks(slip: TicketSlip, language: str) -> list[Block]:
    def t(message: str, **values: object) -> str:
        return translate(message, language, **values)

    blocks: list[Block] = [
        Text(slip.center_name, size_mm=2.4, bold=True, align="center"),
        Rule(),
        Space(1.5),
        Text(t(YOUR_NUMBER), size_mm=2.6, align="center"),
        Text(slip.number, size_mm=NUMBER_MM, bold=True, align="center"),
    ]
    if slip.priority:
        blocks.append(Text(t(PRIORITY), size_mm=3.0, bold=True, align="center"))
    if slip.service_name:
        blocks.append(Text(slip.service_name, size_mm=3.0, bold=True, align="center"))
    if slip.counters:
        blocks.append(Text(t(COUNTER, counters=", ".join(slip.counters)), size_mm=3.0, bold=True, align="center"))
    if slip.position == 0:
        blocks.append(Text(t(NEXT), size_mm=2.4, align="center"))
    elif slip.position is not None:
        blocks.append(Text(t(PEOPLE_AHEAD, count=slip.position), size_mm=2.4, align="center"))
    if slip.estimated_wait_minutes is not None and slip.position:
        blocks.append(Text(t(WAIT, minutes=slip.estimated_wait_minutes), size_mm=2.4, align="center"))
    if slip.offline:
        blocks.append(Text(t(OFFLINE), size_mm=2.2, bold=True, align="center"))
    blocks += [
        Space(1.0),
        QR(slip.qr, size_mm=QR_MM),
        Text(slip.issued_at.strftime("%d/%m/%Y %H:%M"), size_mm=2.6, align="center"),
    ]
    if slip.copy:
        blocks.append(Text(t(COPY), size_mm=2.2, align="center"))
    blocks += [
        Text(t(SCAN_HINT), size_mm=2.0, align="center"),
        Rule(dashed=True),
        Text(t(CLOSING), size_mm=2.2, bold=True, align="center"),
    ]
    if slip.hotline:
        blocks.append(Text(t(HOTLINE, hotline=slip.hotline), size_mm=2.0, align="center"))
    return blocks


def ticket_job(slip: TicketSlip, language: str, *, dots: int = 576, text_mode: str = "raster",
               profile: str | None = None) -> SlipJob:
    """The ESC/POS job that prints ``slip`` on a printer ``dots`` wide."""
    kwargs = {"profile": profile} if profile else {}
    return slip_job(ticket_blocks(slip, language), dots=dots, text_mode=text_mode, **kwargs)
