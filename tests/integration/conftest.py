"""Fixtures that start real services and processes: a database, a broker, workers."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kombu import Connection

import taskhub
from taskhub.adapters.sqlalchemy import migrate
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.entrypoints.library import Hub
from tests.databases import throwaway_postgres_database
from tests.processes import ROOT, RedisServer, Worker, redis_server

RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"
LEASE_SECONDS = 3


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


@pytest.fixture(params=["redis", "rabbitmq"])
def broker(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(broker URL, queue) on a private Redis, then on the machine's RabbitMQ."""
    if request.param == "redis":
        return request.getfixturevalue("private_redis").url, "taskhub"
    return RABBITMQ, request.getfixturevalue("rabbitmq_queue")


def stack_env(database_url: str, broker_url: str, queue: str = "taskhub") -> dict[str, str]:
    """The settings a web process, a worker and a relay of one deployment share."""
    return {
        "TASKHUB_DATABASE_URL": database_url,
        "TASKHUB_BROKER_URL": broker_url,
        "TASKHUB_QUEUE": queue,
        "TASKHUB_BUS": "celery",
        "TASKHUB_LEASE_SECONDS": str(LEASE_SECONDS),
        "TASKHUB_RELAY_IDLE_SECONDS": "1",
        "TASKHUB_MAX_ATTEMPTS": "3",
        # Fault tests stall creates behind a table lock on purpose, for longer than the default
        # lock timeout would let them wait (tests/integration/test_store_faults.py tests that).
        "TASKHUB_DB_LOCK_TIMEOUT_SECONDS": "120",
    }


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


def start_test_worker(
    start_worker: Callable[..., Worker], env: dict[str, str], app: str, concurrency: int
) -> Worker:
    """The plain ``celery -A tests.integration.<app> worker`` command: taskhub's worker with a
    handler a fault test changed (``poison_worker``, ``slow_worker``)."""
    celery = [sys.executable, "-m", "celery", "-A", f"tests.integration.{app}", "worker"]
    return start_worker(
        {**env, "PYTHONPATH": str(ROOT)},
        f"--concurrency={concurrency}", "--queues=taskhub", "--loglevel=INFO", command=celery,
    )  # fmt: skip


def hub_for(env: dict[str, str]) -> Hub:
    """A hub in this test process with the same settings as the stack's processes."""
    names = {key.removeprefix("TASKHUB_").lower(): value for key, value in env.items()}
    return taskhub.connect(
        taskhub.Settings.from_env({f"TASKHUB_{k.upper()}": v for k, v in names.items()})
    )
