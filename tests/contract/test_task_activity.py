"""The overview's counts, on every store: tasks by status, and finished ones per minute and
final status since a moment, earliest minute first."""

from __future__ import annotations

from datetime import timedelta

from taskhub.application.ports import MinuteCount, UnitOfWorkFactory
from taskhub.domain.task import TaskName, TaskStatus
from taskhub.testing import MOMENT
from tests.contract.test_retention import a_finished_task, save

MINUTE = MOMENT.replace(second=0, microsecond=0)


def test_tasks_are_counted_by_status_and_finished_ones_per_minute(
    uow_factory: UnitOfWorkFactory,
) -> None:
    second = timedelta(seconds=1)
    save(
        uow_factory,
        a_finished_task(MOMENT - timedelta(minutes=5)),  # before ``since``
        a_finished_task(MINUTE),
        a_finished_task(MINUTE + 59 * second, TaskName.GET_USER),
        a_finished_task(MINUTE + 30 * second, status=TaskStatus.FAILED),
        a_finished_task(MINUTE + 60 * second, status=TaskStatus.CANCELLED),
        a_finished_task(MINUTE + 3 * 60 * second, status=TaskStatus.FAILED),
        a_finished_task(MINUTE, status=TaskStatus.PENDING),
        a_finished_task(MINUTE, status=TaskStatus.PROCESSING),
    )
    with uow_factory() as uow:
        counts = uow.tasks.count_by_status()
        per_minute = uow.tasks.finished_per_minute(MINUTE)
    assert counts == {
        TaskStatus.DONE: 3, TaskStatus.FAILED: 2, TaskStatus.CANCELLED: 1,
        TaskStatus.PENDING: 1, TaskStatus.PROCESSING: 1,
    }  # fmt: skip
    assert list(per_minute) == [
        MinuteCount(MINUTE, TaskStatus.DONE, 2),
        MinuteCount(MINUTE, TaskStatus.FAILED, 1),
        MinuteCount(MINUTE + timedelta(minutes=1), TaskStatus.CANCELLED, 1),
        MinuteCount(MINUTE + timedelta(minutes=3), TaskStatus.FAILED, 1),
    ]
