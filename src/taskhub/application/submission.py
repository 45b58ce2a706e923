"""Submitting: a command's task recorded as PENDING in one commit, then handed to the bus.

Dispatching only after the commit means a worker never sees a task that is not in the store; if
dispatching fails, the task is safe as PENDING and the relay hands it on later, so the
submission still succeeds. An ``Idempotency-Key`` names its first request's task
(``application.idempotency``), and a retry links its original in the same commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from taskhub.application.commands import Command
from taskhub.application.idempotency import task_named_by
from taskhub.application.lookups import stored_task
from taskhub.application.ports import (
    NO_OBSERVER,
    Clock,
    ConcurrentUpdate,
    DispatchFailed,
    EventPublisher,
    TaskBus,
    TaskObserver,
    UnitOfWorkFactory,
)
from taskhub.domain.errors import IdempotencyKeyInFlight
from taskhub.domain.task import Task

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Idempotency:
    """A client's key for retrying a submission safely, with a digest of the request it named."""

    key: str
    fingerprint: str


@dataclass(frozen=True)
class Submitter:
    """Records and dispatches tasks for ``TaskService.submit`` and ``TaskService.retry``."""

    uow_factory: UnitOfWorkFactory
    bus: TaskBus
    clock: Clock
    publisher: EventPublisher
    key_ttl: timedelta
    observer: TaskObserver = NO_OBSERVER

    def submit(
        self,
        command: Command,
        idempotency: Idempotency | None,
        request_id: str | None,
        retry_of: UUID | None = None,
    ) -> Task:
        """Record and dispatch the command's task, as a retry of ``retry_of`` if given. A key's
        earlier task, if it expired, lets go of the key in this commit. If that commit fails,
        another submission released the key first, and this one raises
        ``IdempotencyKeyInFlight``, unless the key names nothing now (a purge deleted the
        earlier task meanwhile): then it tries once more."""
        key, fingerprint = (
            (idempotency.key, idempotency.fingerprint) if idempotency else (None, None)
        )
        now = self.clock.now()

        def record() -> tuple[Task, Task | None]:  # a new one each time: a rollback took events
            task = command.new_task(now, key, fingerprint, request_id, retry_of=retry_of)
            return task, self._record(task, now, retry_of)

        task, recorded = record()
        if recorded is None and key is not None and not self._names_a_task(key):
            task, recorded = record()
        if recorded is None:
            raise IdempotencyKeyInFlight(key or "")
        if recorded is task:
            self.observer.submitted(task)
            self._dispatch(task)
        return recorded

    def keyed(self, idempotency: Idempotency | None) -> Task | None:
        """The task already submitted with this key for this very request, if the key still
        names it (``Task.holds_idempotency_key``)."""
        if idempotency is None:
            return None
        with self.uow_factory() as uow:
            earlier = uow.tasks.get_by_idempotency_key(idempotency.key)
        if earlier is None or earlier.request_fingerprint != idempotency.fingerprint:
            return None
        return earlier if earlier.holds_idempotency_key(self.clock.now(), self.key_ttl) else None

    def _record(self, task: Task, now: datetime, retry_of: UUID | None) -> Task | None:
        """Commit ``task``, or find the earlier task its key names; ``None`` if the commit
        failed after releasing an expired key (``submit`` says what that means)."""
        key, fingerprint = task.idempotency_key, task.request_fingerprint
        with self.uow_factory() as uow:
            released = False
            try:
                if key:
                    earlier, released = task_named_by(uow, key, fingerprint, now, self.key_ttl)
                    if earlier is not None:
                        return earlier
                if retry_of is not None:
                    stored_task(uow, retry_of).record_retry(task.id)
                uow.tasks.add(task)
                uow.commit()
            except ConcurrentUpdate:
                if not released:  # a retry's original, saved meanwhile
                    raise
                return None
            self.publisher.publish(uow.collect_events())
        return task

    def _names_a_task(self, key: str) -> bool:
        with self.uow_factory() as uow:
            return uow.tasks.get_by_idempotency_key(key) is not None

    def _dispatch(self, task: Task) -> None:
        try:
            self.bus.dispatch(task.id)
        except DispatchFailed:
            log.warning("Task %s recorded but not dispatched; the relay will retry it", task.id)
