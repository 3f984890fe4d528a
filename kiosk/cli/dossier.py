"""``kiosk dossier``: submit a dossier or look one up, as the kiosk does, printing JSON.

* ``kiosk dossier submit --procedure CODE --id-payload PAYLOAD [--doc [ITEM=]FILE.pdf]... [--field ID=VALUE]...``
  fills the procedure's form from the card (the QR payload of a CCCD) and the ``--field`` values, attaches
  the PDFs (to the checklist items named, or to the checklist in order), queues the dossier in the
  kiosk's outbox, waits up to ``--wait`` seconds for the central service, prints the appointment slip on
  the configured printer and prints one JSON object: ``code`` (``null`` while not delivered),
  ``kiosk_reference``, ``status``, ``expected_result_date``, ``procedure``, ``delivered``, ``printed``.
  A dossier not delivered stays in the outbox and is sent by the kiosk later.
* ``kiosk dossier status CODE [--id-payload PAYLOAD]`` prints the public view (status, expected date),
  or the owner's full view when the card's ID number is the owner's.

Exit status: 0 done; 1 refused (JSON ``{"error", "message", "detail"}``: not found, not the owner,
the center refused it); 2 bad usage (one line: a bad payload, an unreadable or non-PDF document, a
form field missing or wrong).
"""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.cli import UsageError

MAX_DOC_BYTES = 50 * 1024 * 1024


def register(subparsers) -> None:
    parser = subparsers.add_parser("dossier", help="submit a dossier or look one up (JSON)")
    commands = parser.add_subparsers(dest="dossier_command", metavar="ACTION", required=True)

    submit = commands.add_parser("submit", help="submit a dossier for a procedure and print its receipt")
    submit.add_argument("--procedure", metavar="CODE", required=True, help="procedure code, e.g. HT-KS")
    submit.add_argument("--id-payload", metavar="PAYLOAD", required=True, help="the QR payload of the owner's CCCD")
    submit.add_argument("--doc", metavar="[ITEM=]FILE.pdf", action="append", default=[],
                        help="a PDF to attach (to checklist item ITEM, else to the checklist in order)")
    submit.add_argument("--field", metavar="ID=VALUE", action="append", default=[],
                        help="a form field the card does not fill, e.g. child_name='Nguyễn Văn Bình'")
    submit.add_argument("--wait", metavar="SECONDS", type=float, default=5.0,
                        help="how long to wait for the central service (default 5)")
    _common(submit)
    submit.set_defaults(handler=run_submit)

    status = commands.add_parser("status", help="the status of a dossier (details with the owner's card)")
    status.add_argument("code", metavar="CODE", help="dossier code or kiosk reference")
    status.add_argument("--id-payload", metavar="PAYLOAD", help="the owner's CCCD QR payload: show the full view")
    _common(status)
    status.set_defaults(handler=run_status)


def _common(parser) -> None:
    parser.add_argument("--config", metavar="FILE", help="kiosk configuration (TOML); default: built-in simulators")
    parser.add_argument("--language", choices=("vi", "en"), help="language of the slip (default: kiosk.language)")


def _config(args):
    from kiosk import config as kiosk_config

    try:
        return kiosk_config.load(args.config)
    except kiosk_config.ConfigError as err:
        raise UsageError(str(err)) from None


def _identity(payload: str):
    from kiosk.identity.cccd import CccdError
    from kiosk.identity.visit import VisitIdentity

    try:
        return VisitIdentity.from_payload(payload, source="staff")
    except CccdError as err:
        raise UsageError(f"--id-payload: not a CCCD payload ({err.code})") from None


def _fields(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--field {pair!r}: write it as ID=VALUE")
        values[name.strip()] = value
    return values


def read_pdf(path: Path) -> bytes:
    """The bytes of a PDF file; ``UsageError`` when it cannot be read or is not a PDF."""
    import pikepdf

    try:
        if path.stat().st_size > MAX_DOC_BYTES:
            raise UsageError(f"--doc {path}: larger than {MAX_DOC_BYTES // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as err:
        raise UsageError(f"--doc {path}: cannot read: {err.strerror}") from None
    if not data.startswith(b"%PDF-"):
        raise UsageError(f"--doc {path}: not a PDF file")
    try:
        with pikepdf.open(path) as pdf:
            if len(pdf.pages) == 0:
                raise UsageError(f"--doc {path}: the PDF has no pages")
    except pikepdf.PdfError:
        raise UsageError(f"--doc {path}: the PDF is damaged") from None
    return data


def _documents(procedure, specs: list[str]) -> list[dict]:
    items = [item.id for item in procedure.documents]
    documents = []
    for index, spec in enumerate(specs):
        item, sep, name = spec.partition("=")
        if sep and item in items:
            target = item
        else:
            name = spec
            if index >= len(items):
                raise UsageError(f"--doc {spec}: {procedure.code} has only {len(items)} checklist items "
                                 f"({', '.join(items)}); name the item as ITEM=FILE.pdf")
            target = items[index]
        path = Path(name)
        documents.append({"checklist_item": target, "filename": path.name, "content_type": "application/pdf",
                          "data": read_pdf(path)})
    return documents


def _refused(err, language: str = "en") -> int:
    from kiosk.cli.ticket import emit
    from kiosk.i18n import translate

    emit({"error": err.code, "message": translate(err.message, language, **err.values), "detail": err.detail})
    return 1


def _start(config):
    from kiosk.wiring import START_ERRORS, build

    try:
        return build(config)
    except START_ERRORS as err:
        print(f"kiosk dossier: cannot start the kiosk: {err}", file=sys.stderr)
        return None


def run_submit(args) -> int:
    from kiosk.cli.ticket import emit
    from kiosk.dossiers import Catalog, DossierError
    from kiosk.dossiers.forms import autofill, problems

    config = _config(args)
    language = args.language or config.kiosk.language
    identity = _identity(args.id_payload)
    try:
        procedure = Catalog.load().get(args.procedure)
    except DossierError:
        raise UsageError(f"--procedure {args.procedure}: not a procedure of the catalog") from None
    values = _fields(args.field)
    unknown = sorted(set(values) - {f.id for f in procedure.form})
    if unknown:
        raise UsageError(f"--field {unknown[0]}: not a field of {procedure.code} "
                         f"(fields: {', '.join(f.id for f in procedure.form)})")
    wrong = problems(procedure, {**values, **autofill(procedure, identity)})
    if wrong:
        raise UsageError("form not complete: " + ", ".join(f"{k} ({v})" for k, v in sorted(wrong.items())))
    documents = _documents(procedure, args.doc)
    kiosk = _start(config)
    if kiosk is None:
        return 1
    try:
        kiosk.dossiers.wait_s = max(0.0, args.wait)
        try:
            receipt = kiosk.dossiers.submit(kiosk.catalog.get(procedure.code), identity, values, documents, language)
        except DossierError as err:
            return _refused(err)
        emit({
            "code": receipt.code,
            "kiosk_reference": receipt.kiosk_reference,
            "status": "received" if receipt.code else "queued",
            "expected_result_date": receipt.expected_result_date.isoformat() if receipt.expected_result_date else None,
            "procedure": procedure.code,
            "delivered": receipt.code is not None,
            "printed": receipt.state == "printed",
        })
        if kiosk.sync.online:  # send the alerts it may have queued before the command ends
            kiosk.worker.stop()
            kiosk.worker.run_until_idle(limit=20)
        return 0
    finally:
        kiosk.close()


def run_status(args) -> int:
    from kiosk.cli.ticket import emit
    from kiosk.dossiers import DossierError

    config = _config(args)
    identity = _identity(args.id_payload) if args.id_payload else None
    if not args.code.strip():
        raise UsageError("CODE: empty")
    kiosk = _start(config)
    if kiosk is None:
        return 1
    try:
        try:
            if identity is None:
                view = kiosk.dossiers.lookup(args.code)
            else:
                view = kiosk.dossiers.details(args.code, identity)
        except DossierError as err:
            return _refused(err)
        emit(view)
        return 0
    finally:
        kiosk.close()
