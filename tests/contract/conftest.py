"""The adapters every contract test runs against: stores (in-memory, SQLite, PostgreSQL), task
buses (inline, threads, Celery on Redis and on RabbitMQ), event publishers and event subscribers
(local, kombu on Redis and on RabbitMQ)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from taskhub.adapters.celery.followers import KombuEventSubscriber
from taskhub.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from taskhub.adapters.sqlalchemy.mapping import start_mappers
from taskhub.adapters.sqlalchemy.schema import Schema
from taskhub.adapters.sqlalchemy.store import ReadySessions, open_engine, session_factory
from taskhub.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from taskhub.application.ports import UnitOfWorkFactory
from tests.contract.buses import BusUnderTest, celery_bus, in_process_bus
from tests.contract.publishers import PublisherUnderTest, kombu_publisher, local_publisher
from tests.contract.subscribers import SubscriberUnderTest, kombu_subscriber, local_subscriber
from tests.processes import free_port
from tests.stack import RABBITMQ


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


@pytest.fixture(params=["inline", "thread", "celery-redis", "celery-rabbitmq"])
def bus(request: pytest.FixtureRequest, database_url: str) -> Iterator[BusUnderTest]:
    """Each task bus, handing tasks to runners (or a worker) on a fresh PostgreSQL store."""
    if request.param in ("inline", "thread"):
        yield from in_process_bus(request.param, database_url)
        return
    if request.param == "celery-redis":
        broker = request.getfixturevalue("private_redis").url, "taskhub"
    else:
        broker = RABBITMQ, request.getfixturevalue("rabbitmq_queue")
    yield from celery_bus(database_url, *broker, request.getfixturevalue("start_worker"))


# Inline hands a task to its own caller: it has no hand-over that can fail.
@pytest.fixture(params=["closed-thread", "celery-redis-down", "celery-rabbitmq-down"])
def stuck_bus(request: pytest.FixtureRequest, database_url: str) -> Iterator[BusUnderTest]:
    """Each bus that can fail to hand a task over, failing: closed, or no broker listening."""
    nowhere = f"127.0.0.1:{free_port()}"
    if request.param == "closed-thread":
        yield from in_process_bus("closed-thread", database_url)
    elif request.param == "celery-redis-down":
        yield from celery_bus(database_url, f"redis://{nowhere}/0", "taskhub", None)
    else:
        yield from celery_bus(database_url, f"amqp://guest:guest@{nowhere}//", "taskhub", None)


@pytest.fixture(params=["local", "kombu-redis", "kombu-rabbitmq"])
def publisher(request: pytest.FixtureRequest) -> Iterator[PublisherUnderTest]:
    """Each event publisher, with a subscriber of the test's own."""
    if request.param == "local":
        yield local_publisher()
        return
    on_redis = request.param == "kombu-redis"
    url = request.getfixturevalue("private_redis").url if on_redis else RABBITMQ
    with kombu_publisher(url) as case:
        yield case


@pytest.fixture(params=["local-subscriber-fails", "kombu-redis-down", "kombu-rabbitmq-down"])
def failing_publisher(request: pytest.FixtureRequest) -> Iterator[PublisherUnderTest]:
    """Each event publisher whose delivery fails: a subscriber raises, or no broker listens."""
    nowhere = f"127.0.0.1:{free_port()}"
    if request.param == "local-subscriber-fails":
        yield local_publisher(subscriber_fails=True)
        return
    on_redis = request.param == "kombu-redis-down"
    url = f"redis://{nowhere}/0" if on_redis else f"amqp://guest:guest@{nowhere}//"
    with kombu_publisher(url, reachable=False) as case:
        yield case


@pytest.fixture(params=["local", "kombu-redis", "kombu-rabbitmq"])
def subscriber(request: pytest.FixtureRequest) -> Iterator[SubscriberUnderTest]:
    """Each event subscriber, with a publisher whose events it hears."""
    if request.param == "local":
        yield local_subscriber()
        return
    on_redis = request.param == "kombu-redis"
    url = request.getfixturevalue("private_redis").url if on_redis else RABBITMQ
    with kombu_subscriber(url) as case:
        yield case


@pytest.fixture(params=["kombu-redis-down", "kombu-rabbitmq-down"])
def unreachable_subscriber(request: pytest.FixtureRequest) -> Iterator[KombuEventSubscriber]:
    """Each event subscriber with a broker, none listening where it looks (local has none)."""
    nowhere = f"127.0.0.1:{free_port()}"
    on_redis = request.param == "kombu-redis-down"
    subscriber = KombuEventSubscriber(
        f"redis://{nowhere}/0" if on_redis else f"amqp://guest:guest@{nowhere}//"
    )
    yield subscriber
    subscriber.close()
