"""The task service: every use case of taskhub, over ports given once, for every entrypoint.

The HTTP views, the library's ``Hub``, the command line and the Celery task all call this one
object, which the container builds; none of them wires a use case of its own.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from taskhub.application.commands import Command
from taskhub.application.idempotency import task_named_by
from taskhub.application.paging import DEFAULT_PAGE_SIZE, check_page
from taskhub.application.ports import (
    Clock,
    ConcurrentUpdate,
    DispatchFailed,
    EventPublisher,
    Page,
    TaskBus,
    TaskFilter,
    UnitOfWorkFactory,
)
from taskhub.application.relay import Relay, SweepReport
from taskhub.application.retention import PurgeReport, Retention
from taskhub.application.runner import Runner
from taskhub.domain.errors import IdempotencyKeyInFlight, TaskNotFound
from taskhub.domain.task import Task

log = logging.getLogger(__name__)
NO_SUCH_TASK = UUID(int=0)


@dataclass(frozen=True)
class Idempotency:
    """A client's key for retrying a submission safely, with a digest of the request it named."""

    key: str
    fingerprint: str


@dataclass(frozen=True)
class TaskService:
    uow_factory: UnitOfWorkFactory
    bus: TaskBus
    clock: Clock
    publisher: EventPublisher
    runner: Runner
    relay: Relay
    retention: Retention

    def submit(self, command: Command, idempotency: Idempotency | None = None) -> Task:
        """Record the command's task as PENDING, then hand it to the bus; return it as recorded.

        The command was validated when it was made. Dispatching only after the commit means a
        worker never sees a task that is not in the store; if dispatching fails, the task is safe
        as PENDING and the relay hands it on later, so the submission still succeeds. A key
        already used for the same request returns that request's task and submits nothing; for
        another request it raises ``IdempotencyKeyReused``; once expired, it names a new task
        (``application.idempotency``).
        """
        key, fingerprint = (
            (idempotency.key, idempotency.fingerprint) if idempotency else (None, None)
        )
        now, ttl = self.clock.now(), self.retention.policy.key_ttl
        task = command.new_task(now, key, fingerprint)
        with self.uow_factory() as uow:
            try:
                if key and (earlier := task_named_by(uow, key, fingerprint, now, ttl)):
                    return earlier
                uow.tasks.add(task)
                uow.commit()
            except ConcurrentUpdate:  # with a key: another submission released it first
                if key is None:
                    raise
                raise IdempotencyKeyInFlight(key) from None
            self.publisher.publish(uow.collect_events())
        self._dispatch(task)
        return task

    def get(self, task_id: UUID) -> Task:
        with self.uow_factory() as uow:
            task = uow.tasks.get(task_id)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    def list(
        self, where: TaskFilter | None = None, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Page[Task]:
        """Matching tasks, newest first, one bounded page at a time."""
        check_page(page, page_size)
        with self.uow_factory() as uow:
            return uow.tasks.list(where or TaskFilter(), page, page_size)

    def wait(self, task_id: UUID, timeout: float, interval: float = 0.02) -> Task:
        """Poll until the task is DONE or FAILED; raise TimeoutError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not (task := self.get(task_id)).is_finished:
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"Task {task_id} is still {task.status} after {timeout} seconds."
                )
            time.sleep(min(interval, max(deadline - time.monotonic(), 0)))
            interval = min(interval * 1.5, 0.5)
        return task

    def run(self, task_id: UUID) -> Task:
        """Run the task here and now, as a worker does; harmless if it ran already."""
        return self.runner.run(task_id)

    def sweep(self, ignore_backoff: bool = False) -> SweepReport:
        """Hand on the tasks no runner is finishing (``Relay.sweep``)."""
        return self.relay.sweep(ignore_backoff)

    def purge(
        self,
        older_than: timedelta | None = None,
        dry_run: bool = False,
        max_batches: int | None = None,
    ) -> PurgeReport:
        """Delete old finished tasks and redact a deleted user's (``Retention.purge``)."""
        return self.retention.purge(older_than, dry_run, max_batches)

    def check_store(self) -> None:
        """Read through a unit of work; raise whatever the store raises if it does not answer."""
        with self.uow_factory() as uow:
            uow.tasks.get(NO_SUCH_TASK)

    def check_bus(self) -> None:
        """Raise unless the bus answers: one with a broker behind it has ``ping()``."""
        ping = getattr(self.bus, "ping", None)
        if callable(ping):
            ping()

    def check_events(self) -> None:
        """Raise unless the event publisher answers: one with a broker behind it has ``ping()``."""
        ping = getattr(self.publisher, "ping", None)
        if callable(ping):
            ping()

    def _dispatch(self, task: Task) -> None:
        try:
            self.bus.dispatch(task.id)
        except DispatchFailed:
            log.warning("Task %s recorded but not dispatched; the relay will retry it", task.id)
