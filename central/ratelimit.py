"""Fixed-window rate limits kept in the database, so every worker process counts the same hits.

Used for dossier look-ups, whose codes must not be enumerable: each kiosk (and client address) may
make ``lookup_limit`` of them per ``lookup_window_s``; past that the answer is 429 ``rate_limited``
with ``Retry-After``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, delete

from central.db import upsert
from central.errors import ApiError
from central.models import RateWindow


def hit(central, bucket: str, limit: int, window_s: int) -> int:
    """Count one hit on ``bucket``; raises 429 past ``limit``. Returns the hits in this window."""
    now = int(central.settings.now().timestamp())
    start = now - now % window_s
    stmt = upsert(central.db.dialect, RateWindow).values(bucket=bucket[:160], window_start=start, hits=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[RateWindow.bucket],
        set_={
            "hits": case((stmt.excluded.window_start == RateWindow.window_start, RateWindow.hits + 1), else_=1),
            "window_start": stmt.excluded.window_start,
        },
    ).returning(RateWindow.hits)
    with central.db.write() as session:
        hits = session.execute(stmt).scalar_one()
    if hits > limit:
        wait = max(1, start + window_s - now)
        raise ApiError(429, "rate_limited", headers={"Retry-After": str(wait)}, seconds=wait)
    return hits


def purge(central, older_than: dt.timedelta) -> int:
    cutoff = int((central.settings.now() - older_than).timestamp())
    with central.db.write() as session:
        return session.execute(delete(RateWindow).where(RateWindow.window_start < cutoff)).rowcount or 0
