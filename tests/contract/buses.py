"""Every task bus the contract suite runs, built here and nowhere else, over PostgreSQL.

A case carries what its bus promises beyond the port (``runs_during_dispatch``), so a test states
that capability instead of skipping the bus that lacks it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Engine

from taskhub.adapters.celery.app import make_celery
from taskhub.adapters.celery.bus import CeleryBus
from taskhub.adapters.local.buses import InlineBus, ThreadPoolBus
from taskhub.adapters.local.clock import SystemClock
from taskhub.adapters.local.events import LocalEventPublisher
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.adapters.sqlalchemy.mapping import start_mappers
from taskhub.adapters.sqlalchemy.store import session_factory
from taskhub.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from taskhub.application.commands import Command
from taskhub.application.ports import TaskBus, UnitOfWorkFactory
from taskhub.application.runner import Runner
from taskhub.domain.task import Task
from taskhub.testing import a_service
from tests.processes import Worker
from tests.stack import LEASE_SECONDS, stack_env


@dataclass(frozen=True)
class BusUnderTest:
    """A bus under test, the PostgreSQL store its runners use, and how to watch them."""

    adapter: TaskBus
    uow_factory: UnitOfWorkFactory
    engine: Engine  # the store's, for a test to hold a task's row
    runs_during_dispatch: bool  # inline: the task has run by the time ``dispatch`` returns
    runs_ended: Callable[[UUID], int]  # how many deliveries of a task have finished running

    def submit(self, command: Command) -> Task:
        """The application's ``submit`` use case, dispatching on this bus."""
        return a_service(
            self.uow_factory, self.adapter, SystemClock(), LocalEventPublisher()
        ).submit(command)


def _store(database_url: str) -> tuple[Engine, UnitOfWorkFactory]:
    start_mappers()
    engine = build_engine(database_url, lock_timeout=10)  # a wait on a held row fails, not hangs
    sessions = session_factory(engine)
    return engine, lambda: SqlAlchemyUnitOfWork(sessions)


def in_process_bus(kind: str, database_url: str) -> Iterator[BusUnderTest]:
    """``inline``, ``thread`` or ``closed-thread``: a bus calling a Runner over the store."""
    engine, uow_factory = _store(database_url)
    runner = Runner(uow_factory, SystemClock(), LocalEventPublisher())
    ended: list[UUID] = []

    def run(task_id: UUID) -> Task:
        try:
            return runner.run(task_id)
        finally:
            ended.append(task_id)

    bus = InlineBus(run) if kind == "inline" else ThreadPoolBus(run)
    if isinstance(bus, ThreadPoolBus) and kind == "closed-thread":
        bus.close()
    yield BusUnderTest(bus, uow_factory, engine, kind == "inline", ended.count)
    if isinstance(bus, ThreadPoolBus):
        bus.close()
    engine.dispose()


def celery_bus(
    database_url: str, broker_url: str, queue: str, start_worker: Callable[..., Worker] | None
) -> Iterator[BusUnderTest]:
    """``CeleryBus`` publishing to a real ``taskhub worker`` on the store (none if not given)."""
    env = stack_env(database_url, broker_url, queue)
    worker = start_worker(env, "--concurrency=2") if start_worker else None
    app = make_celery(broker_url, queue, LEASE_SECONDS)
    engine, uow_factory = _store(database_url)

    def runs_ended(task_id: UUID) -> int:
        """As the worker logged them: Celery's task id is the taskhub task's."""
        log = worker.log.read_text(errors="replace") if worker else ""
        return log.count(f"run_task[{task_id}] succeeded")

    yield BusUnderTest(CeleryBus(app), uow_factory, engine, False, runs_ended)
    app.close()
    engine.dispose()
