"""The composition root: the one place where ports meet their adapters.

Swapping an adapter is a settings change (``TASKHUB_DATABASE_URL``, ``TASKHUB_BUS``) or, in a
test, a provider override. Building the container connects to nothing; ``start`` readies it
before anything is served, and ``shut_down`` releases it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from dependency_injector import containers, providers

from taskhub.adapters.buses import InlineBus, RunTask, ThreadPoolBus
from taskhub.adapters.clock import SystemClock
from taskhub.adapters.local_events import LocalEventPublisher
from taskhub.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from taskhub.adapters.relay_thread import RelayThread
from taskhub.adapters.sqlalchemy.errors import SchemaNotReady
from taskhub.adapters.sqlalchemy.mapping import start_mappers
from taskhub.adapters.sqlalchemy.schema import Schema
from taskhub.adapters.sqlalchemy.store import ReadySessions, open_engine, session_factory
from taskhub.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from taskhub.application.execution import Runner
from taskhub.application.heartbeat import Heartbeat
from taskhub.application.ports import Clock, StoreUnavailable, UnitOfWorkFactory
from taskhub.application.relay import Relay
from taskhub.settings import Settings

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from celery import Celery

    from taskhub.adapters.celery.bus import CeleryBus
    from taskhub.adapters.celery.events import KombuEventPublisher


def _thread_pool_bus(run: RunTask, workers: int) -> Iterator[ThreadPoolBus]:
    """The bus as a resource, so that shutting the container down lets running tasks finish."""
    bus = ThreadPoolBus(run, workers)
    yield bus
    bus.close()


def _heartbeat(
    uow_factory: UnitOfWorkFactory, clock: Clock, lease: timedelta
) -> Iterator[Heartbeat]:
    """The heartbeat as a resource, so that shutting the container down stops its thread."""
    heartbeat = Heartbeat(uow_factory, clock, lease)
    yield heartbeat
    heartbeat.close()


def _relay_thread(relay: Callable[[], Relay], interval: float) -> Iterator[RelayThread]:
    """The relay sweeping on a thread of this process, from start until shutdown."""
    thread = RelayThread(relay, interval)
    thread.start()
    yield thread
    thread.stop()


# A runner waits out a store outage under its claim for this many leases (2.5 minutes by default):
# longer than a database restart or failover, shorter than the task time limit.
OUTAGE_PATIENCE_LEASES = 5


def _leases(seconds: float, count: int) -> timedelta:
    return timedelta(seconds=seconds * count)


# Celery and kombu come with the ``celery`` extra: imported only when settings ask for them.


def _celery_app(
    broker_url: str, queue: str, lease_seconds: float, timeout: float, time_limit: float
) -> Celery:
    from taskhub.adapters.celery.app import make_celery

    return make_celery(broker_url, queue, lease_seconds, timeout, time_limit)


def _celery_bus(app: Celery) -> CeleryBus:
    from taskhub.adapters.celery.bus import CeleryBus

    return CeleryBus(app)


def _kombu_publisher(url: str, timeout: float) -> Iterator[KombuEventPublisher]:
    from taskhub.adapters.celery.events import KombuEventPublisher

    publisher = KombuEventPublisher(url, timeout)
    yield publisher
    publisher.close()


class Container(containers.DeclarativeContainer):
    config = providers.Configuration(strict=True)

    clock = providers.ThreadSafeSingleton(SystemClock)
    event_publisher = providers.Selector(
        config.events_kind,
        local=providers.ThreadSafeSingleton(LocalEventPublisher),
        kombu=providers.Resource(
            _kombu_publisher, url=config.events_url, timeout=config.publish_timeout_seconds
        ),
    )
    celery_app = providers.ThreadSafeSingleton(
        _celery_app,
        broker_url=config.broker_url,
        queue=config.queue,
        lease_seconds=config.lease_seconds,
        timeout=config.publish_timeout_seconds,
        time_limit=config.task_time_limit_seconds,
    )

    memory_store = providers.ThreadSafeSingleton(InMemoryStore)
    engine = providers.Resource(
        open_engine,
        url=config.database_url,
        pool_size=config.db_pool_size,
        max_overflow=config.db_max_overflow,
        connect_timeout=config.db_connect_timeout,
        statement_timeout=config.db_statement_timeout_seconds,
        lock_timeout=config.db_lock_timeout_seconds,
    )
    schema = providers.ThreadSafeSingleton(Schema, engine=engine)
    sessions = providers.ThreadSafeSingleton(
        ReadySessions,
        sessions=providers.ThreadSafeSingleton(session_factory, engine=engine),
        schema=schema,
    )
    sql_unit_of_work = providers.Factory(SqlAlchemyUnitOfWork, session_factory=sessions)
    unit_of_work = providers.Selector(
        config.database_kind,
        memory=providers.Factory(InMemoryUnitOfWork, store=memory_store),
        sqlite=sql_unit_of_work,
        postgresql=sql_unit_of_work,
    )

    lease = providers.Factory(timedelta, seconds=config.lease_seconds)
    heartbeat = providers.Resource(
        _heartbeat, uow_factory=unit_of_work.provider, clock=clock, lease=lease
    )
    # What the host raises when it stops a task at its time limit: the Celery worker sets it.
    time_limits: providers.Provider[tuple[type[BaseException], ...]] = providers.Object(())
    runner = providers.ThreadSafeSingleton(
        Runner,
        uow_factory=unit_of_work.provider,
        clock=clock,
        publisher=event_publisher,
        lease=lease,
        max_attempts=config.max_attempts,
        heartbeat=heartbeat,
        outage_patience=providers.Factory(
            _leases, seconds=config.lease_seconds, count=OUTAGE_PATIENCE_LEASES
        ),
        time_limits=time_limits,
    )
    celery_bus = providers.ThreadSafeSingleton(_celery_bus, app=celery_app)
    thread_bus = providers.Resource(
        _thread_pool_bus, run=runner.provided.run, workers=config.worker_threads
    )
    task_bus = providers.Selector(
        config.bus,
        inline=providers.ThreadSafeSingleton(InlineBus, run=runner.provided.run),
        thread=thread_bus,
        celery=celery_bus,
    )
    relay = providers.Factory(
        Relay,
        uow_factory=unit_of_work.provider,
        bus=task_bus,
        clock=clock,
        publisher=event_publisher,
        idle=providers.Factory(timedelta, seconds=config.relay_idle_seconds),
        max_attempts=config.max_attempts,
    )
    relay_thread = providers.Resource(
        _relay_thread, relay=relay.provider, interval=config.relay_interval_seconds
    )


def build_container(settings: Settings) -> Container:
    """A container wired as ``settings`` say. Maps the domain for SQL stores; connects nothing."""
    if settings.database_kind != "memory":
        start_mappers()
    container = Container()
    container.config.from_dict(
        {
            "database_url": settings.effective_database_url,
            "database_kind": settings.database_kind,
            "db_pool_size": settings.db_pool_size,
            "db_max_overflow": settings.db_max_overflow,
            "db_connect_timeout": settings.db_connect_timeout,
            "db_statement_timeout_seconds": settings.db_statement_timeout_seconds,
            "db_lock_timeout_seconds": settings.db_lock_timeout_seconds,
            "task_time_limit_seconds": settings.task_time_limit_seconds,
            "bus": settings.bus,
            "worker_threads": settings.worker_threads,
            "lease_seconds": settings.lease_seconds,
            "max_attempts": settings.max_attempts,
            "relay_idle_seconds": settings.relay_idle_seconds,
            "relay_interval_seconds": settings.relay_interval_seconds,
            "broker_url": settings.broker_url,
            "queue": settings.queue,
            "events_kind": "kombu" if settings.events_url else "local",
            "events_url": settings.events_url,
            "publish_timeout_seconds": settings.publish_timeout_seconds,
        }
    )
    return container


def start(container: Container) -> Container:
    """Ready ``container`` before it serves anything, from the thread that builds it.

    The schema first: the embedded SQLite file is migrated here, once, rather than by whichever
    request comes first, and a schema that is not at head stops the start (``SchemaNotReady``,
    saying what to run). A PostgreSQL database that does not answer yet does not: the process
    starts, ``/readyz`` says 503, and the schema is checked when the database first answers.
    Then, on the thread bus, the bus and the relay sweeping on a thread of this process: tasks
    run on its threads die with it, and the next process's sweep finds them again (``inline``
    loses nothing; with ``celery``, ``taskhub relay`` processes sweep).
    """
    try:
        if container.config.database_kind() != "memory":
            _ready_schema(container)
        if container.config.events_kind() == "kombu":
            container.event_publisher()  # a resource: built once here, not by racing requests
        if container.config.bus() == "thread":
            container.relay_thread()
    except BaseException:
        shut_down(container)
        raise
    return container


def _ready_schema(container: Container) -> None:
    container.sessions()  # resolved here, once, rather than by request threads racing for it
    try:
        container.schema().ensure_ready()
    except SchemaNotReady:
        raise
    except StoreUnavailable as error:
        if container.config.database_kind() != "postgresql":
            raise
        log.warning("Starting without the database, to check its schema once it answers: %s", error)


def shut_down(container: Container) -> None:
    """Let running work finish and release what the container opened, in the order that work
    needs: the relay first (no sweep hands a task to a closed bus), then the thread bus, whose
    running and queued tasks finish with their leases still renewed and the store and event
    publisher still open, then the heartbeat, then the rest.
    """
    for resource in (container.relay_thread, container.thread_bus, container.heartbeat):
        resource.shutdown()
    container.shutdown_resources()
