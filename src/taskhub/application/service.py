"""The task service: every use case of taskhub, over ports given once, for every entrypoint.

The HTTP views, the library's ``Hub``, the command line and the Celery task all call this one
object, which the container builds; none of them wires a use case of its own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator
from dataclasses import dataclass
from uuid import UUID

from taskhub.application.commands import Command
from taskhub.application.following import Following, Unheard
from taskhub.application.paging import DEFAULT_PAGE_SIZE, check_page
from taskhub.application.ports import (
    Clock,
    DispatchFailed,
    EventPublisher,
    EventSubscriber,
    Page,
    TaskBus,
    TaskFilter,
    UnitOfWorkFactory,
)
from taskhub.application.relay import Relay, SweepReport
from taskhub.application.runner import Runner
from taskhub.domain.errors import IdempotencyKeyReused, TaskNotFound
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
    subscriber: EventSubscriber | None = None  # None: followers hear nothing, they read again

    def submit(self, command: Command, idempotency: Idempotency | None = None) -> Task:
        """Record the command's task as PENDING, then hand it to the bus; return it as recorded.

        The command was validated when it was made. Dispatching only after the commit means a
        worker never sees a task that is not in the store; if dispatching fails, the task is safe
        as PENDING and the relay hands it on later, so the submission still succeeds. A key
        already used for the same request returns that request's task and submits nothing; for
        another request it raises ``IdempotencyKeyReused``.
        """
        key, fingerprint = (
            (idempotency.key, idempotency.fingerprint) if idempotency else (None, None)
        )
        task = command.new_task(self.clock.now(), key, fingerprint)
        with self.uow_factory() as uow:
            if key and (earlier := uow.tasks.get_by_idempotency_key(key)):
                if earlier.request_fingerprint != fingerprint:
                    raise IdempotencyKeyReused(key)
                return earlier
            uow.tasks.add(task)
            uow.commit()
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

    def follow(
        self,
        task_id: UUID,
        seen: int | None = None,
        every: float = 0.5,
        longest: float | None = None,
    ) -> Generator[Task | None]:
        """The task each time it changes until it is finished, woken by its events
        (``following.Following``): ``None`` after ``every`` seconds without a change."""
        subscriber = self.subscriber or Unheard()
        following = Following(
            self.get, subscriber, task_id, seen=seen, every=every, longest=longest
        )
        return following.states()

    def run(self, task_id: UUID) -> Task:
        """Run the task here and now, as a worker does; harmless if it ran already."""
        return self.runner.run(task_id)

    def sweep(self, ignore_backoff: bool = False) -> SweepReport:
        """Hand on the tasks no runner is finishing (``Relay.sweep``)."""
        return self.relay.sweep(ignore_backoff)

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
