"""``taskhub db``: moves the schema with Alembic, the only way it is created or changed."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from taskhub.adapters.sqlalchemy import migrate
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.adapters.sqlalchemy.errors import SchemaNotReady
from taskhub.settings import Settings


def add_parser(commands: Any) -> None:
    database = commands.add_parser("db", help="migrate the database (TASKHUB_DATABASE_URL)")
    actions = database.add_subparsers(dest="action", required=True)
    upgrade = actions.add_parser("upgrade", help="migrate up (default: to the newest revision)")
    upgrade.add_argument("revision", nargs="?", default="head")
    actions.add_parser("downgrade", help="migrate down, e.g. to 'base'").add_argument("revision")
    actions.add_parser("current", help="print the database's revision and the newest one")


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Apply the action; return the database's revision before and after, and the newest one."""
    settings = Settings.from_env()
    if settings.database_kind == "memory":
        raise SystemExit("taskhub db: the memory:// store keeps no schema to migrate.")
    engine = build_engine(settings.effective_database_url)
    try:
        return _apply(engine, args)
    except SchemaNotReady as error:  # half-built, or another process is migrating it
        raise SystemExit(f"taskhub db: {error}") from error
    except SQLAlchemyError as error:
        raise SystemExit(f"taskhub db: the database refused: {error}") from error
    except RuntimeError as error:  # a migration that refuses the data it found, saying why
        raise SystemExit(f"taskhub db: the migration refused: {error}") from error
    finally:
        engine.dispose()


def _apply(engine: Engine, args: argparse.Namespace) -> dict[str, Any]:
    before = migrate.current_revision(engine)
    if args.action == "upgrade":
        migrate.upgrade(engine, args.revision)
    elif args.action == "downgrade":
        migrate.downgrade(engine, args.revision)
    after = migrate.current_revision(engine)
    return {"before": before, "current": after, "head": migrate.head_revision()}
