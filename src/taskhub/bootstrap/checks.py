"""What the settings name must be there before anything starts: drivers, and directories.

Each refusal is a ``SettingsError``: one line naming the setting and what to do, so a process
stops at start (exit 2) instead of serving errors. What can come and go (a database or broker
that does not answer yet) is not checked here: a process starts without it and says 503.
"""

from __future__ import annotations

import sys
from importlib.util import find_spec

from taskhub.settings import Settings
from taskhub.settings.errors import SettingsError


def check_settings(settings: Settings) -> None:
    """Refuse what cannot work; create the embedded database's directory if it is the default."""
    if settings.database_kind == "postgresql":
        _require("psycopg2", "postgres", "TASKHUB_DATABASE_URL is a PostgreSQL URL")
    if settings.bus == "celery":
        _require("celery", "celery", "TASKHUB_BUS=celery")
    if settings.events_url:
        _require("kombu", "celery", "TASKHUB_EVENTS_URL")
    for port in ("worker_metrics_port", "relay_metrics_port"):
        if getattr(settings, port) is not None:
            _require("prometheus_client", "metrics", f"TASKHUB_{port.upper()} is set")
    if settings.database_kind != "sqlite":
        return
    # SQLAlchemy only here: the processes that check without building a store (Celery's main
    # process) need not carry it for a PostgreSQL deployment.
    from taskhub.adapters.sqlalchemy.engine import sqlite_file

    if (file := sqlite_file(settings.effective_database_url)) is not None:
        if settings.database_url and not file.parent.is_dir():
            raise SettingsError(
                f"TASKHUB_DATABASE_URL names a SQLite file in {file.parent}, which does not "
                "exist: create the directory, or name a file in one that does."
            )
        try:
            # The data directory, taskhub's own: only its owner may look in (its database holds
            # password hashes and personal fields, the console's key lives beside it).
            file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise SettingsError(
                f"TASKHUB_DATA_DIR {file.parent} cannot be made: {error.strerror}."
            ) from None


def installed(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ValueError:  # in sys.modules without a spec: None there means "cannot be imported"
        return sys.modules.get(module) is not None


def _require(module: str, extra: str, why: str) -> None:
    if not installed(module):
        raise SettingsError(
            f"{why}, which needs taskhub's '{extra}' dependencies: pip install 'taskhub[{extra}]'."
        )
