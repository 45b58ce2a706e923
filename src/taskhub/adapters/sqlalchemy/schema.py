"""Is the database's schema the one this taskhub needs? Made so where taskhub owns the database."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from taskhub.adapters.sqlalchemy.errors import UNAVAILABLE, SchemaNotReady, missing_database
from taskhub.adapters.sqlalchemy.revisions import current_revision, head_revision
from taskhub.adapters.sqlalchemy.revisions import where as named
from taskhub.application.ports import StoreUnavailable

log = logging.getLogger(__name__)
RECHECK_SECONDS = 1.0


@contextmanager
def _refusals() -> Iterator[None]:
    """What an operator's migration command meets, as ``SchemaNotReady`` saying who refused."""
    try:
        yield
    except SchemaNotReady:
        raise
    except SQLAlchemyError as error:
        if missing := missing_database(error, "named by TASKHUB_DATABASE_URL"):
            raise missing from error
        raise SchemaNotReady(f"the database refused: {error}") from error
    except RuntimeError as error:  # a migration that refuses the data it found, saying why
        raise SchemaNotReady(f"the migration refused: {error}") from error


class Schema:
    """The schema of one engine's database, made ready once per process.

    The embedded SQLite file is taskhub's own: it is migrated to head here, so that a new data
    directory needs no set-up. A PostgreSQL database is shared by every process of a deployment
    and migrated by its operator (``taskhub db upgrade``) before they start: here it is only
    checked. Until that succeeds every caller asks again, so a database that did not answer at
    start is checked when it first does.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._ready = False
        self._lock = threading.Lock()
        self._unreachable: tuple[float, str] | None = None  # when the last check found no database

    def ensure_ready(self) -> None:
        """Return once the schema is at head. Raise ``SchemaNotReady`` saying what to run, or
        ``StoreUnavailable`` if the database does not answer."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            if self._unreachable and time.monotonic() - self._unreachable[0] < RECHECK_SECONDS:
                # Callers that queued behind a check which just failed share its answer, rather
                # than each waiting out a connect timeout of their own in turn.
                raise StoreUnavailable(self._unreachable[1])
            try:
                self._make_ready()
            except UNAVAILABLE as error:
                cause = getattr(error, "orig", None) or error
                where = named(self._engine.url)
                if missing := missing_database(error, where):
                    raise missing from error
                message = f"The database {where} cannot be reached: {cause}"
                self._unreachable = (time.monotonic(), message)
                raise StoreUnavailable(message) from error
            self._ready = True

    def revisions(self) -> dict[str, str | None]:
        """The database's revision and the newest this taskhub has."""
        with _refusals():
            current = current_revision(self._engine)
        return {"current": current, "head": head_revision()}

    def knows(self, revision: str) -> bool:
        """Whether this taskhub's migrations include ``revision``."""
        from taskhub.adapters.sqlalchemy import migrate  # Alembic, only here: see ``revisions``

        return migrate.is_known(revision)

    def upgrade(self, revision: str = "head") -> None:
        """Migrate up to ``revision``, as ``taskhub db upgrade`` does (see ``migrate``)."""
        from taskhub.adapters.sqlalchemy import migrate  # Alembic, only here: see ``revisions``

        with _refusals():
            migrate.upgrade(self._engine, revision)

    def downgrade(self, revision: str) -> None:
        from taskhub.adapters.sqlalchemy import migrate  # Alembic, only here: see ``revisions``

        with _refusals():
            migrate.downgrade(self._engine, revision)

    def _make_ready(self) -> None:
        current, head = current_revision(self._engine), head_revision()
        if current == head:
            return
        from taskhub.adapters.sqlalchemy import migrate  # not at head: Alembic's turn

        where = named(self._engine.url)
        if current is not None and not migrate.is_known(current):
            raise SchemaNotReady(
                f"The database {where} is at schema revision {current}, which this taskhub does "
                f"not know (its newest is {head}): a newer taskhub migrated it. Run that version, "
                f"or use it to migrate the database back first (taskhub db downgrade {head})."
            )
        if self._engine.dialect.name != "sqlite":
            raise SchemaNotReady(
                f"The database {where} is at schema revision {current or 'none (it is empty)'}, "
                f"but this taskhub needs {head}: run `taskhub db upgrade` with the same "
                "TASKHUB_DATABASE_URL."
            )
        self._migrate(where, current, head)

    def _migrate(self, where: str, current: str | None, head: str) -> None:
        from taskhub.adapters.sqlalchemy import migrate  # Alembic, only here: see ``revisions``

        try:
            migrate.upgrade(self._engine)
        except (SchemaNotReady, *UNAVAILABLE):
            raise
        except (RuntimeError, SQLAlchemyError) as error:  # a migration that refused the data
            raise SchemaNotReady(
                f"The database {where} could not be migrated to revision {head} and was left as "
                f"it was: {error}"
            ) from error
        log.info("Migrated the database %s from revision %s to %s", where, current, head)
