"""The relay: hands on tasks that no runner is finishing, so none is lost or stuck.

The Task row is the outbox. A submission whose dispatch failed, a message lost with a broker, a
runner killed mid-task: each leaves a task PENDING, or PROCESSING under a lease that runs out. The
relay finds those, dispatches them again, and fails with ``worker_lost`` a task whose every allowed
attempt died with its runner, or ends CANCELLED one whose cancel was requested before its runner
died. A CANCELLED task is final, like DONE and FAILED: never due, never sent again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

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
from taskhub.domain.task import Task

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    redispatched: int = 0
    abandoned: int = 0
    failed_dispatches: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class Relay:
    """Hands on what no runner is finishing. Safe to run in several processes at once.

    A PENDING task is handed on only once it has waited ``idle`` (probably lost, not merely
    queued), and then after 2, 4, 8 … idles more (``Task.next_relay_after``), so a task waiting W
    seconds behind busy workers gets at most 1 + log2(1 + W / idle) messages. Each sweep takes at
    most ``batch`` tasks, orphans of dead runners before PENDING ones, each least recently changed
    first (so a burst of queued tasks cannot starve them); its bookkeeping keeps the task's version,
    so it never makes a worker's claim fail.
    """

    uow_factory: UnitOfWorkFactory
    bus: TaskBus
    clock: Clock
    publisher: EventPublisher
    idle: timedelta = timedelta(seconds=30)
    max_attempts: int = 3
    batch: int = 100
    observer: TaskObserver = NO_OBSERVER

    def sweep(self, ignore_backoff: bool = False) -> SweepReport:
        """One pass over the tasks due; ``ignore_backoff`` hands on every waiting task that has
        idled, as a process whose own queue died with its predecessor does at start."""
        now = self.clock.now()
        with self.uow_factory() as uow:
            waiting = uow.tasks.due_for_relay(now, self.idle, self.batch, ignore_backoff)
            due = [task.id for task in waiting]
        outcomes = [self._relay(task_id, now, ignore_backoff) for task_id in due]
        return SweepReport(
            redispatched=outcomes.count("redispatched"),
            abandoned=outcomes.count("abandoned"),
            failed_dispatches=outcomes.count("failed"),
            cancelled=outcomes.count("cancelled"),
        )

    def _relay(self, task_id: UUID, now: datetime, ignore_backoff: bool) -> str:
        """End the task if no runner should take it (``_end_orphan``); else dispatch it, then
        note it (a failed dispatch is retried at the next sweep, its backoff untouched)."""
        try:
            with self.uow_factory() as uow:
                task = uow.tasks.get(task_id)
                if task is None or not task.due_for_relay(now, self.idle, ignore_backoff):
                    return "skipped"
                if ended := self._end_orphan(task, now):
                    uow.commit()
                    self.publisher.publish(uow.collect_events())
                    if ended == "abandoned":
                        self.observer.abandoned(task)
                    else:
                        self.observer.finished(task, None)  # no attempt ran it to this end
                    return ended
        except ConcurrentUpdate:
            return "skipped"  # a runner got to it first
        try:
            self.bus.dispatch(task_id)
        except DispatchFailed:
            log.warning("Could not dispatch task %s again; a later sweep will retry", task_id)
            return "failed"
        self.observer.redispatched(task)
        self._note_redispatch(task, now)
        return "redispatched"

    def _end_orphan(self, task: Task, now: datetime) -> str | None:
        """CANCELLED if its cancel was requested, FAILED if every attempt died; else ``None``."""
        if task.cancel_if_requested(now):
            log.debug("Task %s cancelled: its runner is gone and its cancel was asked", task.id)
            return "cancelled"
        if task.abandon_if_exhausted(self.max_attempts, now):
            log.debug("Task %s abandoned after %s attempts", task.id, task.attempt)
            return "abandoned"
        return None

    def _note_redispatch(self, task: Task, now: datetime) -> None:
        """Start the task's next, longer wait. A runner that claimed it meanwhile, or a relay
        that noted it first, makes this a no-op: of relays racing, one note counts."""
        try:
            with self.uow_factory() as uow:
                if uow.tasks.record_redispatch(task, task.next_relay_after(now, self.idle)):
                    uow.commit()
        except ConcurrentUpdate:
            pass
