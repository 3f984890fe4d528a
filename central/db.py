"""Database engine, sessions and migrations.

SQLite runs in WAL mode with a busy timeout, and every writing transaction starts with ``BEGIN
IMMEDIATE`` so two writers never deadlock upgrading a read lock; reading transactions start deferred.
PostgreSQL runs at READ COMMITTED; the few places that must serialize (ticket and dossier counters,
calling the next ticket) lock the row they change.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseUrlError(ValueError):
    """The database URL cannot be used; the message says why, without the password."""


def check_url(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(f"not a database URL: {url!r}") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUrlError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///PATH or postgresql+psycopg://..."
        )
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        raise DatabaseUrlError("PostgreSQL URLs must use the psycopg driver: postgresql+psycopg://...")
    return url


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid URL>"


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_size=10, max_overflow=20, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # transactions are begun explicitly below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        readonly = connection.get_execution_options().get("readonly", False)
        connection.exec_driver_sql("BEGIN DEFERRED" if readonly else "BEGIN IMMEDIATE")

    return engine


def make_engine(url: str, pool_size: int = 10) -> Engine:
    check_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)


class Database:
    """One engine and the two kinds of transaction the service uses."""

    def __init__(self, url: str, pool_size: int = 10):
        self.url = url
        self.engine = make_engine(url, pool_size)
        self.dialect = self.engine.dialect.name
        # SQLite allows one writer at a time; queueing this process's writers on a lock spares them
        # SQLite's sleeping busy-retry. Other processes still wait through the busy timeout.
        self._writers = threading.Lock() if self.dialect == "sqlite" else nullcontext()

    def writer_lock(self):
        """Held around every writing transaction of this process (a no-op on PostgreSQL)."""
        return self._writers

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits when the block ends and rolls back on any exception."""
        with self._writers, Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            session.connection(execution_options={"readonly": True})
            yield session  # closing the session ends the transaction without expiring what was read

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execution_options(readonly=True)
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError as err:
            log.warning("database unreachable: %s", type(err).__name__)
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(url: str, revision: str = "head") -> str:
    """Bring the database at ``url`` to ``revision``; returns the revision it is at afterwards."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision() or "base"
    finally:
        engine.dispose()


def upsert(dialect: str, table):
    """An INSERT that supports ``on_conflict_do_update`` on this database."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)
