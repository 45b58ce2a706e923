"""The container: the one place where ports meet their adapters, from one Settings object.

Swapping an adapter is a settings change (``TASKHUB_DATABASE_URL``, ``TASKHUB_BUS``) or, in a
test, a provider override. Building the container connects to nothing.
"""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from taskhub.adapters.local.buses import InlineBus
from taskhub.adapters.local.clock import SystemClock
from taskhub.adapters.local.events import LocalEventPublisher
from taskhub.adapters.local.passwords import Argon2Hasher
from taskhub.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from taskhub.adapters.sqlalchemy.schema import Schema
from taskhub.adapters.sqlalchemy.store import ReadySessions, open_engine, session_factory
from taskhub.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from taskhub.application.administrators import Administrators
from taskhub.application.catalogue import CATALOGUE
from taskhub.application.housekeeping import Housekeeping
from taskhub.application.presence import Presence
from taskhub.application.relay import Relay
from taskhub.application.retention import Retention, RetentionPolicy
from taskhub.application.runner import Runner
from taskhub.application.service import TaskService
from taskhub.application.tokens import ApiTokens
from taskhub.bootstrap import resources
from taskhub.settings import Settings


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock = providers.ThreadSafeSingleton(SystemClock)
    event_publisher = providers.Selector(
        settings.provided.events_kind,
        local=providers.ThreadSafeSingleton(LocalEventPublisher),
        kombu=providers.Resource(
            resources.kombu_publisher,
            url=settings.provided.events_url,
            timeout=settings.provided.publish_timeout_seconds,
        ),
    )
    # Who wakes the followers of a task: the local publisher itself, else a consumer of the
    # broker's events (one thread per process, started by the first follower).
    event_subscriber = providers.Selector(
        settings.provided.events_kind,
        local=event_publisher,
        kombu=providers.Resource(
            resources.kombu_subscriber,
            url=settings.provided.events_url,
            timeout=settings.provided.publish_timeout_seconds,
        ),
    )
    celery_app = providers.ThreadSafeSingleton(resources.celery_app, settings=settings)

    memory_store = providers.ThreadSafeSingleton(InMemoryStore)
    engine = providers.Resource(
        open_engine,
        url=settings.provided.effective_database_url,
        pool_size=settings.provided.db_pool_size,
        max_overflow=settings.provided.db_max_overflow,
        connect_timeout=settings.provided.db_connect_timeout,
        statement_timeout=settings.provided.db_statement_timeout_seconds,
        lock_timeout=settings.provided.db_lock_timeout_seconds,
    )
    schema = providers.ThreadSafeSingleton(Schema, engine=engine)
    # ``taskhub db``: an engine of its own, without the units of work's time limits, since a
    # migration may rewrite a big table (and may commit part-way, as CREATE INDEX CONCURRENTLY).
    migrations = providers.ThreadSafeSingleton(
        Schema,
        engine=providers.Resource(
            open_engine,
            url=settings.provided.effective_database_url,
            pool_size=1,
            max_overflow=0,
            connect_timeout=settings.provided.db_connect_timeout,
        ),
    )
    sessions = providers.ThreadSafeSingleton(
        ReadySessions,
        sessions=providers.ThreadSafeSingleton(session_factory, engine=engine),
        schema=schema,
    )
    sql_unit_of_work = providers.Factory(SqlAlchemyUnitOfWork, session_factory=sessions)
    unit_of_work = providers.Selector(
        settings.provided.database_kind,
        memory=providers.Factory(InMemoryUnitOfWork, store=memory_store),
        sqlite=sql_unit_of_work,
        postgresql=sql_unit_of_work,
    )

    lease = providers.ThreadSafeSingleton(timedelta, seconds=settings.provided.lease_seconds)
    heartbeat = providers.Resource(
        resources.heartbeat, uow_factory=unit_of_work.provider, clock=clock, lease=lease
    )
    # What the host raises when it stops a task at its time limit: the Celery worker sets it.
    time_limits: providers.Provider[tuple[type[BaseException], ...]] = providers.Object(())
    catalogue = providers.Object(CATALOGUE)
    # Told of each step of a task's life: its log lines, and its metrics.
    task_observer = providers.ThreadSafeSingleton(resources.task_observer, catalogue=catalogue)
    runner = providers.ThreadSafeSingleton(
        Runner,
        uow_factory=unit_of_work.provider,
        clock=clock,
        publisher=event_publisher,
        lease=lease,
        max_attempts=settings.provided.max_attempts,
        heartbeat=heartbeat,
        time_limits=time_limits,
        catalogue=catalogue,
        observer=task_observer,
    )
    thread_bus = providers.Resource(
        resources.thread_pool_bus, run=runner.provided.run, workers=settings.provided.worker_threads
    )
    celery_bus = providers.ThreadSafeSingleton(resources.celery_bus, app=celery_app)
    task_bus = providers.Selector(
        settings.provided.bus,
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
        idle=providers.ThreadSafeSingleton(timedelta, seconds=settings.provided.relay_idle_seconds),
        max_attempts=settings.provided.max_attempts,
        observer=task_observer,
    )
    retention = providers.Factory(
        Retention,
        uow_factory=unit_of_work.provider,
        clock=clock,
        policy=providers.ThreadSafeSingleton(
            RetentionPolicy,
            finished=settings.provided.task_retention,
            reads=settings.provided.read_retention,
            redact_after=settings.provided.redact_after,
            key_ttl=settings.provided.idempotency_key_ttl,
            batch=settings.provided.purge_batch_size,
        ),
    )
    # Cheap to make (what is derived from settings alone is made once), so made per use: a
    # provider overridden in a test takes effect at once.
    service = providers.Factory(
        TaskService,
        uow_factory=unit_of_work.provider,
        bus=task_bus,
        clock=clock,
        publisher=event_publisher,
        runner=runner,
        relay_factory=relay.provider,
        observer=task_observer,
        subscriber=event_subscriber,
        retention=retention,
    )
    # A relay loop's turn: a sweep, and the periodic purge when due (``taskhub relay``, and the
    # relay thread of a process on the thread bus).
    housekeeping = providers.Factory(
        Housekeeping,
        service=service.provider,
        clock=clock,
        interval=settings.provided.purge_interval,
    )
    # What a web process counts of its requests, and what a scrape of this process shows.
    request_metrics = providers.ThreadSafeSingleton(resources.request_metrics)
    metrics_page = providers.ThreadSafeSingleton(resources.metrics_page, service=service.provider)
    relay_thread = providers.Resource(
        resources.relay_thread,
        sweep=housekeeping,
        interval=settings.provided.relay_interval_seconds,
    )
    # Which process this is, for the worker registry: a web process (its tasks run on its
    # threads), a Celery pool process or a relay; their entrypoints override it.
    process_role = providers.Object("web")
    presence = providers.Factory(
        Presence, uow_factory=unit_of_work.provider, clock=clock, role=process_role
    )
    presence_thread = providers.Resource(resources.presence_thread, presence=presence)

    password_hasher = providers.ThreadSafeSingleton(Argon2Hasher)
    administrators = providers.Factory(
        Administrators, uow_factory=unit_of_work.provider, hasher=password_hasher, clock=clock
    )
    api_tokens = providers.Factory(ApiTokens, uow_factory=unit_of_work.provider, clock=clock)
