"""Fixtures shared by every kind of test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kombu import Connection
from sqlalchemy import Engine, text

import taskhub.settings
from taskhub.adapters.sqlalchemy import migrate
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.adapters.sqlalchemy.mapping import start_mappers
from taskhub.entrypoints.library import Hub
from taskhub.testing import ManualClock, memory_hub
from tests.databases import throwaway_postgres_database
from tests.processes import RedisServer, Worker, redis_server
from tests.stack import RABBITMQ


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keeps each test's embedded database in its own directory, whatever the shell has set."""
    for name in [name for name in os.environ if name.startswith("TASKHUB_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TASKHUB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(taskhub.settings, "ENV_FILE", str(tmp_path / "no.env"))  # not a dev's .env


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
    """The session's PostgreSQL database with no users, tasks or administrators."""
    with postgres_engine.begin() as connection:
        connection.execute(text("TRUNCATE users, tasks, administrators, api_tokens, workers"))
    return postgres_engine


@pytest.fixture
def database_url() -> Iterator[str]:
    """A fresh PostgreSQL database migrated to head, dropped afterwards."""
    with throwaway_postgres_database("taskhub_it") as url:
        engine = build_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own, on a free port."""
    with redis_server(tmp_path) as server:
        yield server


@pytest.fixture
def rabbitmq_queue() -> Iterator[str]:
    """A queue name no other test uses on the machine's RabbitMQ, deleted afterwards."""
    name = f"taskhub-test-{uuid.uuid4().hex[:8]}"
    yield name
    with Connection(RABBITMQ, connect_timeout=2) as connection:
        channel = connection.default_channel
        channel.queue_delete(name)


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Starts ``taskhub worker`` processes; stops every one it started."""
    started: list[Worker] = []

    def start(env: dict[str, str], *args: str, command: list[str] | None = None) -> Worker:
        worker = Worker(env, tmp_path / f"worker-{len(started)}.log", *args, command=command)
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()
        print(f"--- {worker.log.name}, last 60 lines ---")  # shown when the test fails
        print("\n".join(worker.log.read_text(errors="replace").splitlines()[-60:]))
