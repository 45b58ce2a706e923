"""The adapters every contract test runs against: in-memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from taskhub.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from taskhub.adapters.sqlalchemy.mapping import start_mappers
from taskhub.adapters.sqlalchemy.schema import Schema
from taskhub.adapters.sqlalchemy.store import ReadySessions, open_engine, session_factory
from taskhub.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from taskhub.application.ports import UnitOfWorkFactory


def _sqlite(tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    start_mappers()
    resource = open_engine(f"sqlite:///{tmp_path / 'contract.sqlite3'}", 5, 10, 5)
    engine = next(resource)
    sessions = ReadySessions(session_factory(engine), Schema(engine))  # migrated on first use
    yield lambda: SqlAlchemyUnitOfWork(sessions)
    next(resource, None)


def _postgres(engine: Engine) -> Iterator[UnitOfWorkFactory]:
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
        yield from _postgres(request.getfixturevalue("empty_postgres"))
