"""``kiosk central ...``: run and administer the central dossier service.

    kiosk central serve [--db URL] [--host H] [--port P] [--data-dir DIR] [--workers N]
    kiosk central migrate [--db URL]
    kiosk central seed [--db URL] [--center CODE]
    kiosk central add-kiosk NAME [--db URL] [--center CODE] [--rotate]
    kiosk central add-staff NAME [--db URL] [--center CODE] [--rotate]

Without ``--db`` the database is SQLite in ``--data-dir`` (default: the kiosk data directory's
``central/``). PostgreSQL: ``--db postgresql+psycopg://user:password@host/dbname``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kiosk.cli import UsageError

DEFAULT_PORT = 8765


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help="database URL (default: SQLite in the data directory)")
    parser.add_argument("--data-dir", metavar="DIR", type=Path, help="where SQLite and documents are kept")


def register(subparsers) -> None:
    parser = subparsers.add_parser("central", help="run and administer the central dossier service")
    commands = parser.add_subparsers(dest="central_command", metavar="ACTION", required=True)

    serve = commands.add_parser("serve", help="migrate the database and serve the HTTP API")
    _common(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--access-log", action="store_true", help="log every request line")
    serve.add_argument("--storage", metavar="URL",
                       help="documents in an S3-compatible bucket: s3://BUCKET/PREFIX?endpoint=URL&region=R "
                            "(credentials from the AWS environment); default: the data directory")
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    _common(migrate)
    migrate.set_defaults(handler=_migrate)

    seed = commands.add_parser("seed", help="load services, counters and the procedure catalog")
    _common(seed)
    seed.add_argument("--center", help="center code (default: the catalog's center)")
    seed.set_defaults(handler=_seed)

    for kind in ("kiosk", "staff"):
        add = commands.add_parser(f"add-{kind}", help=f"create a {kind} account and print its token")
        add.add_argument("name", help=f"{kind} name, unique")
        _common(add)
        add.add_argument("--center", help="center code (default HT01)")
        add.add_argument("--rotate", action="store_true", help="give an existing account a new token")
        add.set_defaults(handler=_add_account, kind=kind)


def _settings(args):
    from central.db import DatabaseUrlError, check_url
    from central.settings import Settings, default_data_dir

    data_dir = args.data_dir or default_data_dir()
    url = args.db or os.environ.get("MOTCUA_CENTRAL_DB", "")
    if url:
        try:
            check_url(url)
        except DatabaseUrlError as err:
            raise UsageError(str(err)) from None
    storage = getattr(args, "storage", None) or os.environ.get("MOTCUA_CENTRAL_STORAGE", "")
    if storage:
        from central.s3store import parse_url

        try:
            parse_url(storage)
        except ValueError as err:
            raise UsageError(str(err)) from None
    return Settings(data_dir=data_dir, db_url=url, storage=storage)


def _migrated(settings) -> str:
    from sqlalchemy.exc import SQLAlchemyError

    from central.db import migrate, safe_url

    try:
        return migrate(settings.db_url)
    except SQLAlchemyError as err:
        reason = str(getattr(err, "orig", None) or err).splitlines()[0]
        raise UsageError(f"cannot migrate {safe_url(settings.db_url)}: {reason}") from None


def _migrate(args) -> int:
    from central.db import safe_url

    settings = _settings(args)
    revision = _migrated(settings)
    print(f"database {safe_url(settings.db_url)} is at revision {revision}")
    return 0


def _seed(args) -> int:
    from central import catalog
    from central.db import Database

    settings = _settings(args)
    _migrated(settings)
    database = Database(settings.db_url)
    try:
        report = catalog.seed(database, args.center)
    finally:
        database.dispose()
    print(f"center {report.center}: {report.services_added} services and {report.counters_added} counters added; "
          f"{report.procedures_added} procedures added, {report.procedures_updated} updated")
    return 0


def _add_account(args) -> int:
    from central.accounts import AccountError, add_account
    from central.db import Database

    settings = _settings(args)
    _migrated(settings)
    database = Database(settings.db_url)
    try:
        token = add_account(database, args.kind, args.name, args.center or settings.default_center,
                            rotate=args.rotate)
    except AccountError as err:
        raise UsageError(str(err)) from None
    finally:
        database.dispose()
    print(token)
    print(f"{args.kind} {args.name!r} can now use this token; it is not stored and cannot be shown again.",
          file=sys.stderr)
    return 0


def _serve(args) -> int:
    import uvicorn

    from central.db import safe_url

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _migrated(settings)
    if settings.storage:
        from central.context import document_store
        from central.storage import StorageError

        try:
            document_store(settings)
        except StorageError as err:
            raise UsageError(f"--storage: {err}") from None
        os.environ["MOTCUA_CENTRAL_STORAGE"] = settings.storage
    print(f"central service on http://{args.host}:{args.port} with {safe_url(settings.db_url)}", file=sys.stderr,
          flush=True)
    if args.workers == 1:
        from central.app import create_app

        uvicorn.run(create_app(settings), host=args.host, port=args.port, access_log=args.access_log,
                    log_level="info" if args.access_log else "warning")
        return 0
    os.environ["MOTCUA_CENTRAL_DATA_DIR"] = str(settings.data_dir)
    os.environ["MOTCUA_CENTRAL_DB"] = settings.db_url
    uvicorn.run("central.app:create_app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, access_log=args.access_log,
                log_level="info" if args.access_log else "warning")
    return 0
