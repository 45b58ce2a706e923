"""``taskhub db``: moves the schema with Alembic, the only way it is created or changed."""

from __future__ import annotations

import argparse
from typing import Any

from taskhub.application.ports import StoreUnavailable
from taskhub.bootstrap import Container, build_container, shut_down
from taskhub.settings import Settings
from taskhub.settings_errors import SettingsError


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
    container = build_container(settings)
    try:
        return _apply(container, args)
    except SettingsError:  # the database does not exist: a setting to correct (exit 2)
        raise
    except StoreUnavailable as error:  # half-built, refused, unreachable: each says why
        raise SystemExit(f"taskhub db: {error}") from error
    finally:
        shut_down(container)


def _apply(container: Container, args: argparse.Namespace) -> dict[str, Any]:
    schema = container.migrations()
    before = schema.revisions()["current"]
    if args.action == "upgrade":
        schema.upgrade(args.revision)
    elif args.action == "downgrade":
        schema.downgrade(args.revision)
    return {"before": before, **schema.revisions()}
