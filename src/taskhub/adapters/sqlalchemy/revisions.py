"""Which schema revision a database is at, and the newest this taskhub has, without Alembic.

Every process checks this at start, but only a migration needs Alembic (about 11 MB of memory
in each process that imports it): ``schema.Schema`` imports ``migrate`` only when the database
is not at head. A migration's revision is the number its file name starts with
(``0010_list_indexes.py`` is ``"0010"``), and the history is one line; a test holds both true
against Alembic's own reading of the scripts.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL

from taskhub.adapters.sqlalchemy.errors import SchemaNotReady

MIGRATIONS = Path(__file__).parent / "migrations"
VERSIONS = MIGRATIONS / "versions"
MIGRATION_FILES = "[0-9][0-9][0-9][0-9]_*.py"
VERSION_TABLE = "alembic_version"


def head_revision() -> str:
    """The newest revision this taskhub's migrations reach."""
    return max(path.name[:4] for path in VERSIONS.glob(MIGRATION_FILES))


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; ``None`` for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        found = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
        revisions = list(found)
    if len(revisions) > 1:
        raise SchemaNotReady(
            f"The database {where(engine.url)} records several schema revisions "
            f"({', '.join(sorted(revisions))}); taskhub's history has one line, so another "
            "tool's migrations share its version table."
        )
    return revisions[0] if revisions else None


def where(url: URL) -> str:
    """The database named for an operator: a SQLite file's path, else its URL without password."""
    return str(url.database) if url.get_backend_name() == "sqlite" else url.render_as_string()
