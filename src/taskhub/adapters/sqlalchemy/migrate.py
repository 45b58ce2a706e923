"""Schema migrations with Alembic: the only way taskhub's tables are created or changed.

A migration cannot half-happen, nor two run at once:

- every command runs in one transaction, committed at its end. PostgreSQL's DDL is transactional;
  on SQLite the command's connection is made with ``transactional_ddl`` (pysqlite would otherwise
  commit each CREATE or ALTER on its own), so a migration that fails leaves the schema as it was;
- every command in a process holds one lock, since Alembic keeps the running migration in module
  globals (``alembic.context``, ``alembic.op``): two threads at once read each other's;
- a command on a SQLite file also holds a file lock beside it, so that processes starting at once
  (gunicorn's workers, a ``taskhub db upgrade`` by hand) take their turns.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.engine import URL

from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.adapters.sqlalchemy.errors import SchemaNotReady
from taskhub.adapters.sqlalchemy.revisions import MIGRATIONS, current_revision, head_revision, where

__all__ = ["current_revision", "downgrade", "head_revision", "is_known", "upgrade", "where"]

TASKHUB_TABLES = ("tasks", "users")
LOCK_TIMEOUT_SECONDS = 60.0
_alembic = threading.Lock()


def lock_file(url: URL) -> Path:
    """The file beside a SQLite database that its migrations lock."""
    return Path(f"{url.database}.migrate.lock")


@contextmanager
def _exclusive(engine: Engine) -> Iterator[None]:
    """This process's Alembic lock and, for a SQLite file, the file lock beside it."""
    with _alembic:
        if engine.dialect.name != "sqlite":
            yield
            return
        lock = FileLock(lock_file(engine.url), timeout=LOCK_TIMEOUT_SECONDS)
        try:
            lock.acquire()
        except Timeout as error:
            raise SchemaNotReady(
                f"Another process has been migrating {engine.url.database} for over "
                f"{LOCK_TIMEOUT_SECONDS:g} s (it holds {lock.lock_file}); start again once it ends."
            ) from error
        try:
            yield
        finally:
            lock.release()


@contextmanager
def _transaction(engine: Engine) -> Iterator[Connection]:
    """One connection in one transaction for a whole command, DDL included, even on SQLite."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    migrating = build_engine(engine.url, transactional_ddl=True)
    try:
        with migrating.begin() as connection:
            yield connection
    finally:
        migrating.dispose()


def _config(connection: Connection) -> Config:
    config = Config(stdout=io.StringIO())
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate up to ``revision``; a half-built schema is refused, saying what to do with it."""
    with _exclusive(engine), _transaction(engine) as connection:
        _refuse_half_built(connection)
        command.upgrade(_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with _exclusive(engine), _transaction(engine) as connection:
        command.downgrade(_config(connection), revision)


def _refuse_half_built(connection: Connection) -> None:
    """Tables with no revision recorded: Alembic would stop at the first CREATE of one."""
    if MigrationContext.configure(connection).get_current_revision() is not None:
        return
    found = sorted(set(inspect(connection).get_table_names()) & set(TASKHUB_TABLES))
    if found:
        raise SchemaNotReady(half_built(connection.engine.url, found))


def half_built(url: URL, tables: list[str]) -> str:
    """What to do about a database holding taskhub tables but no schema revision."""
    what = f"The database {where(url)} has taskhub tables ({', '.join(tables)}) but no schema "
    if url.get_backend_name() == "sqlite":
        return what + (
            "revision: a set-up stopped half-way, so it cannot be migrated. If it holds nothing "
            f"you need, move it aside (mv {url.database} {url.database}.half-built, and its -wal "
            "and -shm files if any) and start taskhub again: it creates a fresh one."
        )
    return what + (
        "revision: `taskhub db upgrade` did not make them, so it cannot migrate them. If they hold "
        "nothing you need, drop them, then run `taskhub db upgrade`."
    )


def is_known(revision: str) -> bool:
    """Whether this taskhub's migrations include ``revision``."""
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def alembic_head() -> str | None:
    """The head as Alembic reads the scripts (``revisions.head_revision`` must agree)."""
    return _scripts().get_current_head()


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)
