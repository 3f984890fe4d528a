"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from central.db import migrate
from central.models import Base


def test_migrated_schema_matches_the_models(service):
    with service.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert context.get_current_revision() == "0001"
        assert compare_metadata(context, Base.metadata) == []


def test_migrating_again_changes_nothing(service):
    assert migrate(service.settings.db_url) == "0001"
