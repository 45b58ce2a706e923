"""Progress while an operation runs: what a handler reports, committed at once for followers.

An operation's effect commits with its task's DONE, in one unit of work; a report made inside
that unit of work would only be seen at the end, when it says nothing. So a report is its own
small transaction on the task, made by ``StoreProgress`` and published as ``task.progressed``
after its commit, and the runner reads the task for its DONE only after the operation, so that
the report's new version is the one its compare-and-set expects.
"""

from __future__ import annotations

from typing import Protocol

from taskhub.application.ports import (
    Clock,
    ConcurrentUpdate,
    EventPublisher,
    UnitOfWorkFactory,
)
from taskhub.domain.task import Task

CLAIMED = 10  # a claimed task's progress, before its operation has done anything
CHECKED = 40  # a change whose checks passed: only its write is left (as the seed shows mid-run)


class Progress(Protocol):
    """What a handler tells of its operation while it runs (between two batches of a list, say).

    ``report`` is a percentage of the whole task (0 to 100): one not above the progress already
    recorded changes nothing. It commits at once, so call it before the operation writes
    anything: the operation's own transaction must not hold a lock the report waits for. It
    raises ``ConcurrentUpdate`` when another runner has taken the task over (the operation then
    stops, saving nothing), and ``StoreUnavailable`` as any unit of work does.
    """

    def report(self, percent: int) -> None: ...


def partway(done: int, total: int) -> int:
    """The task's progress when ``done`` of an operation's ``total`` steps are done: from
    ``CLAIMED`` towards 100, which only DONE reaches."""
    if total <= 0:
        return CLAIMED
    return min(CLAIMED + (100 - CLAIMED) * done // total, 99)


class StoreProgress:
    """Reports the progress of one claim (``task_id`` at ``attempt``), each report a unit of
    work of its own; a report not above the last one this claim made asks nothing of the store."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        publisher: EventPublisher,
        claimed: Task,
    ) -> None:
        self._uow_factory, self._clock, self._publisher = uow_factory, clock, publisher
        self._task_id, self._attempt = claimed.id, claimed.attempt
        self._reported = claimed.progress

    def report(self, percent: int) -> None:
        if percent <= self._reported:
            return
        with self._uow_factory() as uow:
            task = uow.tasks.get(self._task_id)
            if task is None or task.attempt != self._attempt or task.is_finished:
                raise ConcurrentUpdate(self._task_id)  # no longer this claim's to report on
            task.report_progress(percent, self._clock.now())
            uow.commit()
            self._publisher.publish(uow.collect_events())
        self._reported = percent
