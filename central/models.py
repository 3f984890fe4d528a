"""The central service's tables (SQLAlchemy 2). Migrations under ``central/migrations`` create them.

Times are stored in UTC and always come back timezone-aware, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("times must be timezone-aware")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    pass


class Center(Base):
    __tablename__ = "centers"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Service(Base):
    """A queue a kiosk can issue tickets for; its code is the ticket letter."""

    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("center_code", "code", name="uq_services_center_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    center_code: Mapped[str] = mapped_column(ForeignKey("centers.code"))
    code: Mapped[str] = mapped_column(String(4))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(40))
    icon: Mapped[str] = mapped_column(String(60), default="")
    default_minutes: Mapped[int] = mapped_column(Integer, default=10)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Counter(Base):
    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("center_code", "number", name="uq_counters_center_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    center_code: Mapped[str] = mapped_column(ForeignKey("centers.code"))
    number: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(100), default="")


class CounterService(Base):
    __tablename__ = "counter_services"
    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)


class Procedure(Base):
    """One administrative procedure of the catalog; ``details`` holds documents, fees notes, returns."""

    __tablename__ = "procedures"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    field: Mapped[str] = mapped_column(String(40), index=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    service_code: Mapped[str] = mapped_column(String(4))
    processing_days: Mapped[int] = mapped_column(Integer)
    fee_in_person: Mapped[int] = mapped_column(Integer, default=0)
    fee_online: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Kiosk(Base):
    __tablename__ = "kiosks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    center_code: Mapped[str] = mapped_column(ForeignKey("centers.code"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class StaffUser(Base):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    center_code: Mapped[str] = mapped_column(ForeignKey("centers.code"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class TicketCounter(Base):
    """The last number drawn for a service on a business day; a new day starts a new row."""

    __tablename__ = "ticket_counters"
    center_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    business_day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("center_code", "issued_service", "business_day", "seq", name="uq_tickets_seq"),
        UniqueConstraint("center_code", "business_day", "number", name="uq_tickets_number"),
        Index("ix_tickets_queue", "center_code", "service_code", "business_day", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(36), unique=True)
    center_code: Mapped[str] = mapped_column(String(16))
    service_code: Mapped[str] = mapped_column(String(4))
    issued_service: Mapped[str] = mapped_column(String(4))
    business_day: Mapped[dt.date] = mapped_column(Date)
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    number: Mapped[str] = mapped_column(String(24))
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12))
    counter: Mapped[str | None] = mapped_column(String(8), nullable=True)
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    called_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id"), nullable=True)
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    reprints: Mapped[int] = mapped_column(Integer, default=0)
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    void_reason: Mapped[str | None] = mapped_column(String(60), nullable=True)
    transferred_from: Mapped[str | None] = mapped_column(String(4), nullable=True)
    #: Keyed hash of the citizen's ID number when the kiosk identified them (``central.citizens``).
    owner_key: Mapped[str | None] = mapped_column(String(64), nullable=True)


class DossierCounter(Base):
    __tablename__ = "dossier_counters"
    center_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    period: Mapped[str] = mapped_column(String(4), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class Dossier(Base):
    __tablename__ = "dossiers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    center_code: Mapped[str] = mapped_column(String(16), index=True)
    procedure_code: Mapped[str] = mapped_column(ForeignKey("procedures.code"))
    status: Mapped[str] = mapped_column(String(20), index=True)
    owner_id_number: Mapped[str] = mapped_column(String(20))
    owner: Mapped[dict] = mapped_column(JSON)
    form: Mapped[dict] = mapped_column(JSON)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expected_result_date: Mapped[dt.date] = mapped_column(Date)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id"), nullable=True)
    handed_over_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    pickup: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    #: The reference the kiosk printed on the slip (``K1-261122-0007``); a second submission carrying
    #: it finds this dossier instead of making another.
    kiosk_reference: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True, index=True)
    #: Where staff left the result: a kiosk's locker and its compartment (both set, or neither).
    locker_kiosk: Mapped[str | None] = mapped_column(String(80), nullable=True)
    locker_compartment: Mapped[str | None] = mapped_column(String(20), nullable=True)


class DossierEvent(Base):
    """One step of a dossier's status history, with the staff message that came with it."""

    __tablename__ = "dossier_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Upload(Base):
    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    received: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    document_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(80))
    filename: Mapped[str] = mapped_column(String(200))
    storage_key: Mapped[str] = mapped_column(String(200))
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), nullable=True, index=True)
    checklist_item: Mapped[str | None] = mapped_column(String(80), nullable=True)


class Rating(Base):
    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    center_code: Mapped[str] = mapped_column(String(16))
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id"), nullable=True)
    score: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list] = mapped_column(JSON)
    service_code: Mapped[str | None] = mapped_column(String(4), nullable=True)
    counter: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Heartbeat(Base):
    __tablename__ = "heartbeats"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"), index=True)
    reported_name: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    devices: Mapped[dict] = mapped_column(JSON)
    outbox: Mapped[dict] = mapped_column(JSON)


class Alert(Base):
    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    center_code: Mapped[str] = mapped_column(String(16), index=True)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    screen: Mapped[str] = mapped_column(String(60), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(80), nullable=True)


class IdempotentResponse(Base):
    """The first response to a write, kept under the caller's Idempotency-Key."""

    __tablename__ = "idempotency_keys"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    principal: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    body_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class RateWindow(Base):
    __tablename__ = "rate_windows"
    bucket: Mapped[str] = mapped_column(String(160), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer)
    hits: Mapped[int] = mapped_column(Integer)
