"""Kiosk and staff accounts. A token is shown once, when made; only its hash is stored."""

from __future__ import annotations

from sqlalchemy import select

from central.auth import hash_token, new_token
from central.models import Center, Kiosk, StaffUser
from central.settings import utc_now

MODELS = {"kiosk": Kiosk, "staff": StaffUser}


class AccountError(Exception):
    """The account cannot be made as asked; the message says why."""


def add_account(db, kind: str, name: str, center: str, *, rotate: bool = False) -> str:
    """Create (or with ``rotate``, re-key) the account ``name``; returns its new token."""
    model = MODELS[kind]
    name = name.strip()
    if not name or len(name) > 80:
        raise AccountError("the name must be 1 to 80 characters")
    token = new_token(kind)
    with db.write() as session:
        if session.get(Center, center) is None:
            raise AccountError(f"center {center} does not exist; run `kiosk central seed --center {center}` first")
        existing = session.scalars(select(model).where(model.name == name)).first()
        if existing is not None:
            if not rotate:
                raise AccountError(f"a {kind} named {name!r} already exists; add --rotate to give it a new token")
            existing.token_hash = hash_token(token)
            existing.center_code = center
            existing.active = True
        else:
            session.add(model(name=name, center_code=center, token_hash=hash_token(token), active=True,
                              created_at=utc_now()))
    return token
