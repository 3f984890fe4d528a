"""``kiosk ticket``: take a queue number and print it, or draw a sample ticket.

* ``kiosk ticket issue --service CODE [--priority] [--config FILE]`` takes one number from the central
  service at ``central.url`` (offline from the kiosk's own range when it cannot be reached), prints it on
  the configured printer and prints one JSON object: ``number``, ``service``, ``priority``, ``position``,
  ``estimated_wait_minutes``, ``counter``, ``offline``, ``issued_at``, ``printed``, ``state`` and
  ``job_bytes``. A number whose slip did not print is voided at once (there is nobody to try again) and
  the command exits 1; 0 when the ticket was printed (or shown, with ``kiosk.show_ticket_without_printer``).
* ``kiosk ticket preview --service CODE --out FILE.png`` draws a sample ticket for the configured paper
  and text mode, as the printer would print it, without taking a number; it prints the job's size and
  how long a 115200-baud serial link needs to carry it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from kiosk.cli import UsageError

CATALOG_SERVICES = Path(__file__).resolve().parents[2] / "assets" / "catalog" / "services.json"


def register(subparsers) -> None:
    parser = subparsers.add_parser("ticket", help="take and print a queue number, or draw a sample ticket")
    commands = parser.add_subparsers(dest="ticket_command", metavar="ACTION", required=True)

    issue = commands.add_parser("issue", help="take one number, print it, and print it as JSON")
    _common(issue)
    issue.add_argument("--priority", action="store_true", help="a priority number (elderly, disabled, pregnant)")
    issue.set_defaults(handler=run_issue)

    preview = commands.add_parser("preview", help="draw a sample ticket into a PNG without taking a number")
    _common(preview)
    preview.add_argument("--out", metavar="FILE.png", required=True, help="where to write the picture")
    preview.add_argument("--priority", action="store_true", help="draw the priority mark")
    preview.add_argument("--offline", action="store_true", help="draw a number taken while offline")
    preview.set_defaults(handler=run_preview)


def _common(parser) -> None:
    parser.add_argument("--service", metavar="CODE", required=True, help="the service letter, e.g. A")
    parser.add_argument("--config", metavar="FILE", help="kiosk configuration (TOML); default: built-in simulators")
    parser.add_argument("--language", choices=("vi", "en"), help="language of the ticket (default: kiosk.language)")


def _config(args):
    from kiosk import config as kiosk_config

    try:
        return kiosk_config.load(args.config)
    except kiosk_config.ConfigError as err:
        raise UsageError(str(err)) from None


def emit(obj: dict) -> None:
    sys.stdout.buffer.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()


def run_issue(args) -> int:
    from kiosk.i18n import translate
    from kiosk.tickets import TicketError
    from kiosk.wiring import START_ERRORS, build

    config = _config(args)
    language = args.language or config.kiosk.language
    try:
        kiosk = build(config)
    except START_ERRORS as err:
        print(f"kiosk ticket: cannot start the kiosk: {err}", file=sys.stderr)
        return 1
    try:
        try:
            issued = kiosk.desk.take(args.service, args.priority, language)
        except TicketError as err:
            print(f"kiosk ticket: {err} ({translate(err.citizen_message, 'en')})", file=sys.stderr)
            return 1
        if issued.state == "failed":
            kiosk.desk.abandon(issued)
        ticket = issued.ticket
        result = {
            "number": ticket.number,
            "service": ticket.service,
            "priority": ticket.priority,
            "position": ticket.position,
            "estimated_wait_minutes": ticket.estimated_wait_minutes,
            "counter": ticket.counter,
            "offline": ticket.offline,
            "issued_at": ticket.issued_at.isoformat(),
            "printed": issued.state == "printed",
            "state": issued.state,
            "job_bytes": len(issued.job.data) if issued.job else 0,
        }
        if issued.fault:
            result["fault"] = issued.fault
        emit(result)
        if kiosk.sync.online:  # send what the kiosk queued (a void, an alert) before the command ends
            kiosk.worker.stop()
            kiosk.worker.run_until_idle(limit=20)
        return 0 if issued.state in ("printed", "shown") else 1
    finally:
        kiosk.close()


def sample_service(code: str, language: str) -> dict:
    """The service ``code`` as the center's catalog in ``assets/`` describes it."""
    data = json.loads(CATALOG_SERVICES.read_text(encoding="utf-8"))
    for service in data.get("services", []):
        if service.get("code") == code:
            return service
    known = ", ".join(s.get("code", "?") for s in data.get("services", []))
    raise UsageError(f"--service {code}: not a service of the catalog (known: {known})")


def run_preview(args) -> int:
    from devices.printer import DOTS_BY_PAPER_MM
    from devices.printer.escpos_render import render
    from kiosk.printing.ticket import slip_for, ticket_job
    from kiosk.tickets import TZ, Ticket, offline_number

    config = _config(args)
    language = args.language or config.kiosk.language
    code = args.service.strip().upper()
    service = sample_service(code, language)
    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise UsageError(f"--out {out}: the picture is written as PNG; name it FILE.png")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: folder {out.parent} does not exist")
    number = offline_number(config.kiosk.offline_prefix, code, 1) if args.offline else f"{code}001"
    ticket = Ticket(
        key="00000000-0000-4000-8000-000000000000", number=number, service=code, priority=args.priority,
        issued_at=dt.datetime.now(TZ).replace(second=0, microsecond=0), offline=args.offline,
        reference=None if args.offline else "11111111-2222-4333-8444-555555555555",
        position=None if args.offline else 3,
        estimated_wait_minutes=None if args.offline else 3 * int(service.get("default_minutes", 10)),
    )
    names = service.get("name") or {}
    slip = slip_for(ticket, center_name=config.center.name, service_name=names.get(language) or names.get("vi") or code,
                    counters=service.get("counters") or (), hotline=config.center.hotline)
    dots = DOTS_BY_PAPER_MM[config.printer.paper_width_mm]
    job = ticket_job(slip, language, dots=dots, text_mode=config.printer.text_mode)
    try:
        render(job.data, dots_per_line=dots).image.save(out)
    except OSError as err:
        raise UsageError(f"--out {out}: cannot write: {err.strerror}") from None
    print(f"{out}: ticket {number}, {config.printer.paper_width_mm} mm paper, text mode {job.text_mode}: "
          f"{len(job)} bytes ({job.raster_bytes} of raster), {job.seconds_at(115200):.2f} s at 115200 baud")
    return 0
