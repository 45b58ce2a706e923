"""The relay: hands on tasks that no runner is finishing, so none is lost or stuck.

The Task row is the outbox. A submission whose dispatch failed, a message lost with a broker, a
runner killed mid-task: each leaves a task PENDING, or PROCESSING under a lease that runs out. The
relay finds those, dispatches them again, and fails with ``worker_lost`` a task whose every allowed
attempt died with its runner.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from taskhub.application.ports import (
    Clock,
    DispatchFailed,
    EventPublisher,
    TaskBus,
    UnitOfWorkFactory,
)
from taskhub.domain.errors import ConcurrentUpdate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    redispatched: int = 0
    abandoned: int = 0
    failed_dispatches: int = 0


@dataclass(frozen=True)
class Relay:
    uow_factory: UnitOfWorkFactory
    bus: TaskBus
    clock: Clock
    publisher: EventPublisher
    idle: timedelta = timedelta(seconds=30)
    max_attempts: int = 3
    batch: int = 500

    def sweep(self) -> SweepReport:
        """One pass over the tasks due; safe to run from several processes at once."""
        now = self.clock.now()
        with self.uow_factory() as uow:
            due = [task.id for task in uow.tasks.due_for_relay(now - self.idle, now, self.batch)]
        outcomes = [self._relay(task_id, now) for task_id in due]
        return SweepReport(
            redispatched=outcomes.count("redispatched"),
            abandoned=outcomes.count("abandoned"),
            failed_dispatches=outcomes.count("failed"),
        )

    def _relay(self, task_id: UUID, now: datetime) -> str:
        try:
            with self.uow_factory() as uow:
                task = uow.tasks.get(task_id)
                if task is None or not task.needs_relay(now - self.idle, now):
                    return "skipped"
                abandoned = task.abandon_if_exhausted(self.max_attempts, now)
                if not abandoned:
                    task.record_redispatch(now)
                uow.commit()
                self.publisher.publish(uow.collect_events())
        except ConcurrentUpdate:
            return "skipped"  # a runner or another relay got to it first
        if abandoned:
            log.warning("Task %s abandoned after %s attempts", task_id, task.attempt)
            return "abandoned"
        try:
            self.bus.dispatch(task_id)
        except DispatchFailed:
            log.warning("Could not dispatch task %s again; the next sweep will retry", task_id)
            return "failed"
        return "redispatched"
