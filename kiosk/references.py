"""What the QR codes the kiosk prints say, and how a scanned code is recognised.

Every slip carries one QR code in the kiosk's own short form, ``MOTCUA:<kind>:<value>``:

* ``MOTCUA:T:<reference>``: a queue ticket. The reference is the central service's (a UUID); a ticket
  drawn offline carries the kiosk's own key for it until the central service has recorded it.
* ``MOTCUA:D:<code>``: a dossier (appointment and pickup slips).

Scanning one at any kiosk shows the ticket's live place in the queue or the dossier's status. Codes of
any other form (a CCCD, a web address) are not the kiosk's and ``parse`` returns ``None`` for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PREFIX = "MOTCUA"
KINDS = {"T": "ticket", "D": "dossier"}
#: A reference or dossier code: letters, digits and ``-_./``, at most 64 characters.
VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$")

Kind = Literal["ticket", "dossier"]


@dataclass(frozen=True)
class ScannedReference:
    kind: Kind
    value: str

    @property
    def text(self) -> str:
        letter = next(k for k, v in KINDS.items() if v == self.kind)
        return f"{PREFIX}:{letter}:{self.value}"


def _make(letter: str, value: str) -> str:
    value = str(value).strip()
    if not VALUE.match(value):
        raise ValueError(f"not a reference the kiosk can print in a QR code: {value!r}")
    return f"{PREFIX}:{letter}:{value}"


def ticket_code(reference: str) -> str:
    """The QR text of a queue ticket: ``MOTCUA:T:<reference>``."""
    return _make("T", reference)


def dossier_code(code: str) -> str:
    """The QR text of a dossier: ``MOTCUA:D:<code>``."""
    return _make("D", code)


def parse(scanned: str | bytes) -> ScannedReference | None:
    """The ticket or dossier a scanned QR code names, or ``None`` when it is not one of the kiosk's."""
    if isinstance(scanned, (bytes, bytearray)):
        try:
            scanned = bytes(scanned).decode("utf-8")
        except UnicodeDecodeError:
            return None
    parts = scanned.strip().split(":", 2)
    if len(parts) != 3 or parts[0].upper() != PREFIX:
        return None
    kind = KINDS.get(parts[1].upper())
    value = parts[2].strip()
    if kind is None or not VALUE.match(value):
        return None
    return ScannedReference(kind, value)  # type: ignore[arg-type]
