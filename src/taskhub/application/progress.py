"""Progress while an operation runs: what a handler reports, committed at once for followers.

An operation's effect commits with its task's DONE, in one unit of work; a report made inside
that unit of work would only be seen at the end, when it says nothing. So a report is its own
small transaction on the task, made by ``StoreProgress`` and published as ``task.progressed``
after its commit. Each is one write over the task as the claim last saved it
(``claiming.save_over_claim``), and the runner writes its DONE over the last report's, so that
the report's new version is the one its compare-and-set expects.
"""

from __future__ import annotations

from typing import Protocol

from taskhub.application.claiming import save_over_claim
from taskhub.application.ports import Clock, EventPublisher, UnitOfWorkFactory
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
    """Reports the progress of one claim, each report a unit of work of its own; a report not
    above the last one this claim made asks nothing of the store. ``task`` is the task as this
    claim last saved it: the claim, then each report."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        publisher: EventPublisher,
        claimed: Task,
    ) -> None:
        self._uow_factory, self._clock, self._publisher = uow_factory, clock, publisher
        self.task = claimed

    def report(self, percent: int) -> None:
        if percent <= self.task.progress:
            return
        now = self._clock.now()
        with self._uow_factory() as uow:
            task = save_over_claim(uow, self.task, lambda t: t.report_progress(percent, now))
            uow.commit()
            self._publisher.publish(uow.collect_events())
        self.task = task
