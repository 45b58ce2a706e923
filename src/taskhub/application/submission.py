"""Submitting a command: record its Task as PENDING, then hand it to the bus."""

from __future__ import annotations

import logging

from taskhub.application.ports import (
    Clock,
    DispatchFailed,
    EventPublisher,
    Idempotency,
    TaskBus,
    UnitOfWorkFactory,
)
from taskhub.domain.commands import Command
from taskhub.domain.errors import IdempotencyKeyReused
from taskhub.domain.task import Task

log = logging.getLogger(__name__)


def submit(
    command: Command,
    uow_factory: UnitOfWorkFactory,
    bus: TaskBus,
    clock: Clock,
    publisher: EventPublisher,
    idempotency: Idempotency | None = None,
) -> Task:
    """Record the command's task and dispatch it after the commit.

    The command was validated when it was made. Dispatching only after the commit means a worker
    never sees a task that is not in the store; if dispatching fails, the task is safe in the store
    as PENDING and the relay hands it on later, so the submission still succeeds.

    With ``idempotency``, a key already used for the same request returns that request's task and
    submits nothing; for another request it raises ``IdempotencyKeyReused``.
    """
    task = Task.submit(
        task_id=command.task_id,
        task_name=command.task_name,
        operation=command.operation,
        input_data=command.input_data(),
        related_id=command.related_id,
        now=clock.now(),
        idempotency_key=idempotency.key if idempotency else None,
        request_fingerprint=idempotency.fingerprint if idempotency else None,
    )
    with uow_factory() as uow:
        if idempotency and (earlier := uow.tasks.get_by_idempotency_key(idempotency.key)):
            if earlier.request_fingerprint != idempotency.fingerprint:
                raise IdempotencyKeyReused(idempotency.key)
            return earlier
        uow.tasks.add(task)
        uow.commit()
        events = list(uow.collect_events())
    publisher.publish(events)
    try:
        bus.dispatch(task.id)
    except DispatchFailed:
        log.warning("Task %s recorded but not dispatched; the relay will retry it", task.id)
    return task
