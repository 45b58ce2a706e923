"""Cancelling a task: the client's use case, and the safe points where a running task stops.

A task no runner holds ends CANCELLED at once (``Task.cancel``). A running one is only marked,
and the mark is saved in place, keeping the task's version: the runner's own saves are
compare-and-sets on that version, so a cancel request never makes them fail (nor do they undo
it). The runner reads the mark where the operation says it may stop (``SafePoint.reached``) and
ends the task CANCELLED there; an operation with no safe point left finishes, and the mark on
its DONE or FAILED task says that the cancel came too late.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from taskhub.application.lookups import stored_task
from taskhub.application.ports import (
    NO_OBSERVER,
    Clock,
    ConcurrentUpdate,
    EventPublisher,
    TaskObserver,
    UnitOfWork,
    UnitOfWorkFactory,
)
from taskhub.domain.task import Task, TaskStatus

# A cancel that meets a claim or a finish looks again; the task changes status twice at most.
CANCEL_TRIES = 3


class CancelRequested(Exception):
    """Raised at a safe point of a task whose cancel was requested. The operation's unit of
    work, left by it, saves nothing; the runner ends the task CANCELLED."""

    def __init__(self, task_id: UUID) -> None:
        super().__init__(f"Task {task_id} was asked to cancel.")
        self.task_id = task_id


class SafePoint(Protocol):
    """Where an operation may stop (between two batches of a list, say), as its handler says."""

    def reached(self) -> None:
        """Raise ``CancelRequested`` if the task's cancel was requested; else return at once.
        Nothing the operation did so far is saved if it stops: its unit of work rolls back."""
        ...


@dataclass(frozen=True)
class StoreSafePoint:
    """A safe point that asks the store, in the operation's own unit of work, whether the
    task's cancel was requested: one narrow read per call (``TaskClaims.cancel_requested``).
    Each read sees what was committed since: a new statement does on PostgreSQL (READ
    COMMITTED) and on SQLite (an operation reads outside a transaction until it writes, and
    none writes before its last safe point); the in-memory store reads its committed state."""

    uow: UnitOfWork
    task_id: UUID

    def reached(self) -> None:
        if self.uow.claims.cancel_requested(self.task_id):
            raise CancelRequested(self.task_id)


def cancel(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    publisher: EventPublisher,
    task_id: UUID,
    observer: TaskObserver = NO_OBSERVER,
) -> Task:
    """Cancel the task (``Task.cancel``) and return it as this cancel left it; harmless twice.

    A cancel that loses a race with a runner (it claimed or finished the task meanwhile) decides
    again on what is stored now. A task this cancel ended is told to ``observer`` as finished
    with no run (``None``: no attempt ran it to that end); a marked one is told by its runner.
    Raises ``TaskNotFound``, or ``TaskAlreadyFinished``.
    """
    for _ in range(CANCEL_TRIES - 1):
        try:
            return _try_cancel(uow_factory, clock, publisher, task_id, observer)
        except ConcurrentUpdate:
            continue
    return _try_cancel(uow_factory, clock, publisher, task_id, observer)


def _try_cancel(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    publisher: EventPublisher,
    task_id: UUID,
    observer: TaskObserver,
) -> Task:
    with uow_factory() as uow:
        task = stored_task(uow, task_id)
        was_cancelled = task.status is TaskStatus.CANCELLED
        task.cancel(clock.now())
        if task.status is TaskStatus.PROCESSING and not uow.tasks.save_cancel_request(task):
            raise ConcurrentUpdate(task_id)  # finished since it was read
        uow.commit()
        publisher.publish(uow.collect_events())
    if task.status is TaskStatus.CANCELLED and not was_cancelled:
        observer.finished(task, None)
    return task
