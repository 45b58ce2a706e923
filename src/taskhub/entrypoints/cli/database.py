"""``taskhub db``: moves the schema with Alembic, the only way it is created or changed."""

from __future__ import annotations

from typing import Any

import click

from taskhub import bootstrap
from taskhub.application.ports import StoreUnavailable
from taskhub.entrypoints.cli.output import FAILED, USAGE, emit, json_option
from taskhub.settings import Settings
from taskhub.settings.errors import SettingsError


@click.group()
def db() -> None:
    """Migrate the database TASKHUB_DATABASE_URL names."""


@db.command()
@click.argument("revision", default="head")
@json_option
def upgrade(revision: str, as_json: bool) -> int:
    """Migrate up, by default to the newest revision."""
    return _migrate("upgrade", revision, as_json)


@db.command()
@click.argument("revision")
@json_option
def downgrade(revision: str, as_json: bool) -> int:
    """Migrate down, e.g. to base."""
    return _migrate("downgrade", revision, as_json)


@db.command()
@json_option
def current(as_json: bool) -> int:
    """Print the database's revision and the newest one."""
    return _migrate(None, None, as_json)


def _migrate(action: str | None, revision: str | None, as_json: bool) -> int:
    settings = Settings.from_env()
    if settings.database_kind == "memory":
        click.echo("taskhub db: the memory:// store keeps no schema to migrate.", err=True)
        return USAGE
    container = bootstrap.build_container(settings)
    try:
        outcome = _apply(container.migrations(), action, revision)
    except SettingsError:  # the database does not exist: a setting to correct (exit 2)
        raise
    except StoreUnavailable as error:  # half-built, refused, unreachable: each says why
        click.echo(f"taskhub db: {error}", err=True)
        return FAILED
    finally:
        bootstrap.shut_down(container)
    emit(outcome, as_json, lambda: f"at {outcome['current'] or 'none'} (newest {outcome['head']})")
    return 0


def _apply(schema: Any, action: str | None, revision: str | None) -> dict[str, Any]:
    before = schema.revisions()["current"]
    if action == "upgrade":
        schema.upgrade(revision)
    elif action == "downgrade":
        schema.downgrade(revision)
    return {"before": before, **schema.revisions()}
