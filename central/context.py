"""Everything one running service shares between requests, built once by ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from central.auth import Authenticator
from central.db import Database
from central.settings import Settings
from central.storage import DiskStore, DocumentStore
from central.workdays import WorkCalendar, default_calendar


@dataclass
class Central:
    settings: Settings
    db: Database
    store: DocumentStore
    calendar: WorkCalendar
    auth: Authenticator
    #: (center, service) -> (average minutes per citizen, counters serving it, valid until)
    wait_cache: dict = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings) -> "Central":
        db = Database(settings.db_url, settings.db_pool_size)
        return cls(
            settings=settings,
            db=db,
            store=document_store(settings),
            calendar=default_calendar(),
            auth=Authenticator(db, settings.auth_cache_s),
        )

    def close(self) -> None:
        self.db.dispose()


def document_store(settings: Settings) -> DocumentStore:
    """The disk store in the data directory, or the S3-compatible bucket ``settings.storage`` names
    (checked now, so a service with an unreachable bucket does not start)."""
    if not settings.storage:
        return DiskStore(settings.data_dir / "documents")
    from central.s3store import S3Store

    store = S3Store.from_url(settings.storage, settings.data_dir / "staging")
    store.check()
    return store


def get_central(request: Request) -> Central:
    return request.app.state.central
