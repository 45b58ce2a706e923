"""The read-only unit of work's contract: it reads what is committed and saves nothing, ever."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from taskhub.application.ports import TaskFilter, UnitOfWork, UnitOfWorkFactory, WriteWhileReading
from taskhub.domain.task import Task, TaskStatus
from taskhub.domain.user import User
from taskhub.testing import MOMENT, a_task, a_user
from tests.contract.test_task_bookkeeping import claimed_task
from tests.contract.test_task_bookkeeping import loaded as stored
from tests.contract.test_unit_of_work import saved_task, saved_user

LEASE = timedelta(minutes=1)


def test_a_read_only_unit_of_work_reads_what_is_committed(uow_factory: UnitOfWorkFactory) -> None:
    task, user = saved_task(uow_factory), saved_user(uow_factory)
    with uow_factory().read_only() as uow:
        found, who = uow.tasks.get(task.id), uow.users.get(user.id)
        assert (uow.tasks.count(TaskFilter()), uow.users.count()) == (1, 1)
    assert (found, who) == (task, user)
    assert found is not None
    assert found.to_dict() == task.to_dict()
    assert found.version == stored(uow_factory, task.id).version


def add_task(uow: UnitOfWork, _task: Task) -> None:
    uow.tasks.add(a_task())


def claim(uow: UnitOfWork, task: Task) -> None:
    uow.tasks.get(task.id).start(MOMENT, LEASE)  # type: ignore[union-attr]
    uow.tasks.count(TaskFilter())  # a read after a change sends nothing first


def add_user(uow: UnitOfWork, _task: Task) -> None:
    uow.users.add(a_user())


@pytest.mark.parametrize("change", [add_task, claim, add_user])
def test_a_change_is_refused_at_commit_and_flush_and_nothing_is_saved(
    uow_factory: UnitOfWorkFactory, change: Callable[[UnitOfWork, Task], None]
) -> None:
    task = saved_task(uow_factory)
    with uow_factory().read_only() as uow:
        change(uow, task)
        with pytest.raises(WriteWhileReading):
            uow.flush()
        with pytest.raises(WriteWhileReading):
            uow.commit()
    with uow_factory() as uow:
        assert (uow.tasks.count(TaskFilter()), uow.users.count()) == (1, 0)
    assert stored(uow_factory, task.id).to_dict() == task.to_dict()


def test_a_write_in_place_is_refused_and_not_saved(uow_factory: UnitOfWorkFactory) -> None:
    """Refused when made, by a store that would send it at once, or at the latest at commit."""
    task = claimed_task(uow_factory)
    with uow_factory().read_only() as uow:
        loaded = uow.tasks.get(task.id)
        assert loaded is not None
        loaded.cancel(MOMENT)
        with pytest.raises(WriteWhileReading):  # noqa: PT012  # made, or at commit
            uow.tasks.save_cancel_request(loaded)
            uow.commit()
    with pytest.raises(WriteWhileReading), uow_factory().read_only() as uow:  # noqa: PT012
        uow.tasks.renew_lease(task.id, task.attempt, MOMENT + 2 * LEASE)
        uow.commit()
    after = stored(uow_factory, task.id)
    assert (after.cancel_requested_at, after.lease_expires_at) == (None, task.lease_expires_at)
    assert after.status is TaskStatus.PROCESSING


def test_removing_a_user_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    user = saved_user(uow_factory)
    with uow_factory().read_only() as uow:
        found: User | None = uow.users.get(user.id)
        uow.users.remove(found)  # type: ignore[arg-type]
        with pytest.raises(WriteWhileReading):
            uow.commit()
    with uow_factory() as uow:
        assert uow.users.get(user.id) == user


def test_a_plain_unit_of_work_still_writes_after_a_read_only_one(
    uow_factory: UnitOfWorkFactory,
) -> None:
    task = saved_task(uow_factory)
    with pytest.raises(WriteWhileReading), uow_factory().read_only() as uow:
        uow.commit()
    with uow_factory() as uow:
        uow.tasks.get(task.id).start(MOMENT, LEASE)  # type: ignore[union-attr]
        uow.commit()
    assert stored(uow_factory, task.id).status is TaskStatus.PROCESSING
