"""Linking a queue ticket to the citizen who took it, without keeping their ID number on the ticket.

A kiosk that read the citizen's CCCD may send ``owner_id_number`` with the ticket. The ticket keeps
only ``owner_key``: a keyed SHA-256 (HMAC) of the number under the service's secret
(``central.server_key``), which cannot be turned back into the number without that secret. At the
counter the key finds the citizen's dossiers: the center's open and recent dossiers are hashed the same
way and compared. Keys of earlier business days are wiped (``forget_old_links``): the link is only
needed while the citizen is in the building.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from central import server_key
from central.dossiers import public_view
from central.models import Dossier, Ticket
from central.settings import VIETNAM

PURPOSE = "ticket-owner"
#: Finished dossiers older than this are not offered at the counter.
RECENT_DAYS = 180
FINISHED = ("handed_over", "rejected")
#: At most this many of a center's dossiers are compared per look-up.
SCAN_LIMIT = 50_000


def owner_key(settings, id_number: str) -> str:
    key = server_key.key_for(settings, PURPOSE)
    return hmac.new(key, id_number.strip().encode("ascii"), hashlib.sha256).hexdigest()


def dossiers_of(central, session: Session, center: str, key: str) -> list[dict]:
    """The center's dossiers whose owner's ID number hashes to ``key``, newest first."""
    since = central.settings.now() - dt.timedelta(days=RECENT_DAYS)
    rows = session.execute(
        select(Dossier.id, Dossier.owner_id_number)
        .where(Dossier.center_code == center,
               or_(Dossier.status.not_in(FINISHED), Dossier.received_at >= since))
        .order_by(Dossier.received_at.desc())
        .limit(SCAN_LIMIT)).all()
    hashed: dict[str, str] = {}
    wanted = []
    for dossier_id, number in rows:
        if number not in hashed:
            hashed[number] = owner_key(central.settings, number)
        if hmac.compare_digest(hashed[number], key):
            wanted.append(dossier_id)
    if not wanted:
        return []
    found = session.scalars(select(Dossier).where(Dossier.id.in_(wanted)).order_by(Dossier.received_at.desc()))
    return [public_view(session, d) | {"received_at": d.received_at.astimezone(VIETNAM).isoformat()}
            for d in found]


def forget_old_links(central) -> int:
    """Wipe the owner keys of tickets from earlier business days; returns how many."""
    today = central.settings.business_day()
    with central.db.write() as session:
        result = session.execute(update(Ticket).where(Ticket.business_day < today, Ticket.owner_key.is_not(None))
                                 .values(owner_key=None))
        return result.rowcount or 0
