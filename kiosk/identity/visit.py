"""The citizen's identity as one visit holds it.

A ``VisitIdentity`` is made when the citizen confirms the name shown after a scan. It lives only in
the visit's session; the session drops it when the visit ends, and nothing here writes it anywhere.
Its ``repr`` shows the masked number only, so logging a visit never logs a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.identity.cccd import CccdIdentity, parse_cccd


@dataclass(frozen=True, repr=False)
class VisitIdentity:
    citizen: CccdIdentity
    scanned_at: dt.datetime
    #: How the card was read: ``camera``, ``scanner`` or ``staff`` (typed in at the counter).
    source: str = "camera"

    @classmethod
    def from_payload(cls, payload: str | bytes, *, source: str = "camera",
                     now: dt.datetime | None = None) -> "VisitIdentity":
        now = now or dt.datetime.now().astimezone()
        return cls(parse_cccd(payload, today=now.date()), now, source)

    def __repr__(self) -> str:
        return f"VisitIdentity({self.citizen.masked_id}, source={self.source})"

    @property
    def full_name(self) -> str:
        return self.citizen.full_name

    @property
    def masked_id(self) -> str:
        return self.citizen.masked_id

    @property
    def needs_staff(self) -> bool:
        """The card read, but something on it disagrees: a person should look at it."""
        return bool(self.citizen.warnings)

    def age(self, today: dt.date | None = None) -> int:
        return self.citizen.age_on(today or self.scanned_at.date())

    def is_priority(self, priority_age: int, today: dt.date | None = None) -> bool:
        """Old enough to be served first (``kiosk.priority_age`` in config, 75 by default)."""
        return self.age(today) >= priority_age

    def form_fields(self) -> dict[str, str]:
        """Values that fill the citizen's part of every later form."""
        c = self.citizen
        return {
            "id_number": c.id_number,
            "old_id_number": c.old_id_number or "",
            "full_name": c.full_name,
            "date_of_birth": c.date_of_birth.isoformat(),
            "sex": c.sex,
            "address": c.address,
            "issue_date": c.issue_date.isoformat(),
        }
