"""Migration 0003 on a database already holding dossiers (revision 0002), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from central import accounts, catalog, dossiers
from central.db import Database, alembic_config, make_engine, migrate
from central.models import Dossier

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
RECEIVED = dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.timezone.utc)


def insert_old_dossier(db: Database, code: str) -> None:
    """A dossier row as revision 0002 knew it (no kiosk reference, no locker place)."""
    with db.write() as session:
        kiosk_id = session.execute(text("SELECT id FROM kiosks WHERE name = 'old-kiosk'")).scalar_one()
        session.execute(text(
            "INSERT INTO dossiers (code, center_code, procedure_code, status, owner_id_number, owner, form, "
            "received_at, expected_result_date, kiosk_id) VALUES (:code, 'HT01', 'HT-CMC', 'ready_for_pickup', "
            "'001099054321', :owner, '{}', :received, :expected, :kiosk)"),
            {"code": code, "owner": '{"id_number": "001099054321", "full_name": "Trần Thị Mẫu"}',
             "received": RECEIVED if db.dialect == "postgresql" else RECEIVED.replace(tzinfo=None),
             "expected": dt.date(2026, 11, 5), "kiosk": kiosk_id})


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_from_0002_keeps_dossiers_and_adds_the_new_columns(backend, make_db_url):
    url = make_db_url(backend, f"central_upgrade_{backend}")
    assert migrate(url, "0002") == "0002"
    db = Database(url)
    try:
        catalog.seed(db, "HT01")
        accounts.add_account(db, "kiosk", "old-kiosk", "HT01")
        insert_old_dossier(db, "HT01-2611-000001")

        assert migrate(url) == "0003"
        with db.read() as session:
            old = dossiers.find(session, "HT01-2611-000001")
            view = dossiers.full_view(session, old)
        assert view["kiosk_reference"] is None and view["locker"] is None and view["counter"] == "1"
        assert view["status"] == "ready_for_pickup" and view["owner"]["full_name"] == "Trần Thị Mẫu"

        with db.write() as session:
            dossiers.find(session, "HT01-2611-000001").kiosk_reference = "K1-261102-0001"
        with db.read() as session:
            assert dossiers.find(session, "K1-261102-0001").code == "HT01-2611-000001"
        with pytest.raises(IntegrityError):  # the reference is unique
            with db.write() as session:
                session.add(Dossier(code="HT01-2611-000002", center_code="HT01", procedure_code="HT-CMC",
                                    status="received", owner_id_number="001099054321", owner={}, form={},
                                    received_at=RECEIVED, expected_result_date=dt.date(2026, 11, 5),
                                    kiosk_reference="K1-261102-0001"))

        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                command.downgrade(alembic_config(connection), "0002")
            with engine.connect() as connection:
                codes = connection.execute(text("SELECT code FROM dossiers")).scalars().all()
                assert codes == ["HT01-2611-000001"]
        finally:
            engine.dispose()
        assert migrate(url) == "0003"
    finally:
        db.dispose()
