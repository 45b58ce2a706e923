"""Fixtures shared by every kind of test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from taskhub.adapters.sqlalchemy import migrate
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.adapters.sqlalchemy.mapping import start_mappers
from taskhub.entrypoints.library import Hub
from taskhub.testing import ManualClock, memory_hub
from tests.databases import throwaway_postgres_database


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keeps each test's embedded database in its own directory, whatever the shell has set."""
    for name in [name for name in os.environ if name.startswith("TASKHUB_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TASKHUB_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def clock() -> ManualClock:
    """A clock that moves only when a test moves it."""
    return ManualClock()


@pytest.fixture
def hub(clock: ManualClock) -> Iterator[Hub]:
    """A zero-service hub whose tasks run inline, on the manual clock."""
    with memory_hub(clock) as hub:
        yield hub


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a throwaway PostgreSQL database migrated to head, for the whole test session."""
    with throwaway_postgres_database() as url:
        engine = build_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """An engine on the session's PostgreSQL database, with the domain mapped."""
    start_mappers()
    engine = build_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_postgres(postgres_engine: Engine) -> Engine:
    """The session's PostgreSQL database with no users and no tasks."""
    with postgres_engine.begin() as connection:
        connection.execute(text("TRUNCATE users, tasks"))
    return postgres_engine
