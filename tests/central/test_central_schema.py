"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from central.db import alembic_config, migrate
from central.models import Base

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_migrated_schema_matches_the_models(service):
    with service.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert context.get_current_revision() == HEAD
        assert compare_metadata(context, Base.metadata) == []


def test_migrating_again_changes_nothing(service):
    assert migrate(service.settings.db_url) == HEAD
