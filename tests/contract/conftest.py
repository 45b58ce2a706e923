"""The adapters every contract test runs against: in-memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from taskhub.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from taskhub.adapters.sqlalchemy import migrate
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.adapters.sqlalchemy.mapping import start_mappers
from taskhub.adapters.sqlalchemy.store import open_engine, session_factory
from taskhub.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from taskhub.application.ports import UnitOfWorkFactory
from tests.databases import throwaway_postgres_database


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """An engine on a throwaway PostgreSQL database migrated to head, for the whole session."""
    start_mappers()
    with throwaway_postgres_database() as url:
        engine = build_engine(url)
        migrate.upgrade(engine)
        yield engine
        engine.dispose()


def _sqlite(tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    start_mappers()
    resource = open_engine(f"sqlite:///{tmp_path / 'contract.sqlite3'}", 5, 10, 5)
    sessions = session_factory(next(resource))
    yield lambda: SqlAlchemyUnitOfWork(sessions)
    next(resource, None)


def _postgres(engine: Engine) -> Iterator[UnitOfWorkFactory]:
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE users, tasks"))
    sessions = session_factory(engine)
    yield lambda: SqlAlchemyUnitOfWork(sessions)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def uow_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    """A factory of units of work over an empty store, once per adapter."""
    if request.param == "memory":
        store = InMemoryStore()
        yield lambda: InMemoryUnitOfWork(store)
    elif request.param == "sqlite":
        yield from _sqlite(tmp_path)
    else:
        yield from _postgres(request.getfixturevalue("postgres_engine"))
