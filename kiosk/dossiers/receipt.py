"""The receipt of a submitted dossier: what its appointment slip shows, kept in the visit for reprints.

``fingerprint`` says what makes two submissions the same one (procedure, person, form and the bytes of
every document), so that a submit repeated at the kiosk never makes a second dossier.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from kiosk.dossiers.catalog import Catalog, Procedure


@dataclass
class Receipt:
    """What the appointment slip shows; kept in the visit and reprintable."""

    procedure: Procedure
    owner_name: str
    #: Central's dossier code; ``None`` while the dossier waits in the outbox.
    code: str | None
    #: The kiosk's own reference, always set; also the dossier's outbox key.
    kiosk_reference: str
    received_at: dt.datetime
    expected_result_date: dt.date | None
    working_days: int
    result_methods: tuple[str, ...]
    hotline: str
    #: ``printed``, ``failed`` (touch "Try again"), ``shown`` (no printer: on screen only), ``pending``.
    state: str
    #: A message id to show (print fault, offline notice), or ``None``.
    message: str | None
    language: str = "vi"
    #: What went wrong, for the operator.
    fault: str | None = None
    copies: int = 0

    @property
    def lookup_code(self) -> str:
        return self.code or self.kiosk_reference

    @property
    def key(self) -> str:
        return self.kiosk_reference

    def to_json(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "procedure"}
        data.update(procedure=self.procedure.code, received_at=self.received_at.isoformat(),
                    expected_result_date=self.expected_result_date.isoformat() if self.expected_result_date else None,
                    result_methods=list(self.result_methods))
        return data

    @classmethod
    def from_json(cls, data: dict, catalog: Catalog) -> "Receipt":
        values = dict(data)
        values["procedure"] = catalog.get(data["procedure"])
        values["received_at"] = dt.datetime.fromisoformat(data["received_at"])
        expected = data.get("expected_result_date")
        values["expected_result_date"] = dt.date.fromisoformat(expected) if expected else None
        values["result_methods"] = tuple(data.get("result_methods") or ())
        return cls(**values)


def fingerprint(procedure: Procedure, owner_id: str, form: dict, documents: list[dict]) -> str:
    """What identifies one submission: the same procedure, person, form and document bytes."""
    digest = hashlib.sha256()
    digest.update(json.dumps([procedure.code, owner_id, form], sort_keys=True, ensure_ascii=False).encode("utf-8"))
    for doc in documents:
        digest.update(str(doc.get("checklist_item")).encode("utf-8"))
        data = doc.get("data")
        digest.update(hashlib.sha256(data).digest() if isinstance(data, (bytes, bytearray)) else
                      str(doc.get("document_id")).encode("utf-8"))
    return digest.hexdigest()
