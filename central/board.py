"""What the lobby display shows, read from the database: the number at each counter, the last calls and
how many citizens wait for each service.

The board holds ticket numbers, counters and counts only, never a citizen's data, so the display needs
no login. A call is named ``"<ticket id>-<called at, ms>-<recalls>"``: recalling a ticket, or calling it
again after a transfer, makes a new call, which the display announces again. When a call was made is
the ticket's ``called_at`` for the first call and, for a recall (the database keeps no recall time),
the moment this process first saw it (``CallTimes``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.models import Center, Counter, CounterService, Service, Ticket
from central.settings import VIETNAM

#: How many recent calls the board lists.
LAST_CALLS = 8


class UnknownCenter(LookupError):
    pass


@dataclass
class CallTimes:
    """When each call was first seen, for recalls; forgets calls of earlier days."""

    seen: dict[str, dt.datetime] = field(default_factory=dict)
    day: dt.date | None = None

    def moment(self, call_id: str, recalls: int, called_at: dt.datetime, now: dt.datetime) -> dt.datetime:
        if self.day != now.astimezone(VIETNAM).date():
            self.seen.clear()
            self.day = now.astimezone(VIETNAM).date()
        if call_id not in self.seen:
            self.seen[call_id] = called_at if recalls == 0 else max(now, called_at)
        return self.seen[call_id]


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(VIETNAM).isoformat() if moment else None


def _counter_key(number: str) -> tuple[int, str]:
    return (len(number), number)


def read(central, session: Session, center: str, times: CallTimes) -> dict:
    """The board of ``center`` now (without ``now``, so two reads can be compared)."""
    found = session.get(Center, center)
    if found is None:
        raise UnknownCenter(center)
    day = central.settings.business_day()
    now = central.settings.now()
    services = session.execute(
        select(Service.id, Service.code, Service.name_vi, Service.name_en)
        .where(Service.center_code == center, Service.active).order_by(Service.code)).all()
    by_id = {s.id: s.code for s in services}
    counters = session.execute(select(Counter.id, Counter.number, Counter.name)
                               .where(Counter.center_code == center)).all()
    links: dict[int, list[str]] = {}
    for counter_id, service_id in session.execute(
            select(CounterService.counter_id, CounterService.service_id)
            .join(Counter, Counter.id == CounterService.counter_id).where(Counter.center_code == center)):
        if service_id in by_id:
            links.setdefault(counter_id, []).append(by_id[service_id])
    waiting = dict(session.execute(
        select(Ticket.service_code, func.count()).where(
            Ticket.center_code == center, Ticket.business_day == day, Ticket.status == "waiting")
        .group_by(Ticket.service_code)).all())
    columns = (Ticket.id, Ticket.number, Ticket.service_code, Ticket.counter, Ticket.called_at, Ticket.recalls,
               Ticket.status, Ticket.priority)
    today = (Ticket.center_code == center, Ticket.business_day == day, Ticket.called_at.is_not(None))
    open_calls = session.execute(select(*columns).where(*today, Ticket.status == "called")).all()
    recent = session.execute(select(*columns).where(*today).order_by(Ticket.called_at.desc())
                             .limit(LAST_CALLS * 2)).all()
    calls = {}
    for row in [*open_calls, *recent]:
        call_id = f"{row.id}-{int(row.called_at.timestamp() * 1000)}-{row.recalls}"
        if call_id in calls or row.counter is None:
            continue
        calls[call_id] = {
            "id": call_id, "number": row.number, "service": row.service_code, "counter": row.counter,
            "recall": row.recalls > 0, "priority": bool(row.priority), "status": row.status,
            "at": times.moment(call_id, row.recalls, row.called_at, now),
        }
    at_counter: dict[str, dict] = {}
    for call in calls.values():
        if call["status"] == "called":
            held = at_counter.get(call["counter"])
            if held is None or call["at"] > held["at"]:
                at_counter[call["counter"]] = call
    ordered = sorted(calls.values(), key=lambda c: c["at"], reverse=True)[:LAST_CALLS]
    return {
        "center": {"code": found.code, "name": found.name},
        "counters": [
            {"number": c.number, "name": c.name, "services": sorted(links.get(c.id, [])),
             "ticket": _public_call(at_counter.get(c.number))}
            for c in sorted(counters, key=lambda c: _counter_key(c.number))
        ],
        "calls": [_public_call(c) for c in ordered],
        "waiting": [{"service": s.code, "name": {"vi": s.name_vi, "en": s.name_en}, "count": waiting.get(s.code, 0)}
                    for s in services],
    }


def _public_call(call: dict | None) -> dict | None:
    if call is None:
        return None
    return {key: (_iso(value) if key == "at" else value) for key, value in call.items() if key != "status"}
