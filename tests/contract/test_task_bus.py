"""The task-bus contract: every bus hands a committed task on and returns, at least once and
harmlessly, or says it could not and leaves the task PENDING. All of it observed in the store.

The inline bus is the one documented exception to "returns before the task has run": it runs
the task in the caller. Its fixture says so (``runs_during_dispatch``), and the tests expect it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

import pytest
from sqlalchemy import text

from taskhub.application.ports import DispatchFailed, TaskFilter
from taskhub.application.users.commands import CreateUser
from taskhub.domain.task import Task, TaskStatus
from taskhub.testing import a_task, user_fields
from tests.contract.buses import BusUnderTest
from tests.processes import eventually

QUICKLY = 10.0  # seconds: what "dispatch returns quickly" must beat, generous for a noisy machine
RUN = 30.0  # seconds a run may take to show in the store; the wait ends as soon as it does


def recorded(bus: BusUnderTest) -> Task:
    """A PENDING task committed to the bus's store, as ``submit`` would leave it."""
    task = a_task()
    with bus.uow_factory() as uow:
        uow.tasks.add(task)
        uow.commit()
    return task


def stored(bus: BusUnderTest, task_id: UUID) -> Task:
    with bus.uow_factory() as uow:
        task = uow.tasks.get(task_id)
    assert task is not None
    return task


def done(bus: BusUnderTest, task_id: UUID) -> Task:
    """The task once it is DONE in the store."""

    def finished() -> Task | None:
        task = stored(bus, task_id)
        return task if task.status is TaskStatus.DONE else None

    task = eventually(finished, RUN, f"task {task_id} to be DONE")
    assert task is not None
    return task


@contextmanager
def unclaimable(bus: BusUnderTest, task_id: UUID) -> Iterator[None]:
    """Holds the task's row, so that no runner can claim it until the block ends.

    For the inline bus it holds nothing: its runner is the caller, which would wait on itself.
    """
    if bus.runs_during_dispatch:
        yield
        return
    with bus.engine.begin() as connection:
        lock = text("SELECT id FROM tasks WHERE id = CAST(:id AS uuid) FOR UPDATE")
        connection.execute(lock, {"id": str(task_id)})
        yield


def test_a_dispatched_task_ends_done_and_dispatch_does_not_wait_for_it(bus: BusUnderTest) -> None:
    """Only the inline bus runs the task inside ``dispatch``; every other bus returns while the
    task cannot even be claimed yet."""
    task = recorded(bus)
    with unclaimable(bus, task.id):
        started = time.monotonic()
        bus.adapter.dispatch(task.id)
        assert time.monotonic() - started < QUICKLY
        expected = TaskStatus.DONE if bus.runs_during_dispatch else TaskStatus.PENDING
        assert stored(bus, task.id).status is expected
    assert (done(bus, task.id).result or {}).get("user_id") == str(task.related_id)


def test_a_task_dispatched_twice_creates_one_user_and_is_done_once(bus: BusUnderTest) -> None:
    """At least once is harmless: both deliveries run, one does the work, the other finds the
    task taken or finished and changes nothing."""
    task = recorded(bus)
    with unclaimable(bus, task.id):  # neither delivery may claim before both are sent
        bus.adapter.dispatch(task.id)
        bus.adapter.dispatch(task.id)
    eventually(lambda: bus.runs_ended(task.id) == 2, RUN, f"both runs of task {task.id} to end")
    finished = stored(bus, task.id)
    assert (finished.status, finished.attempt) == (TaskStatus.DONE, 1)
    with bus.uow_factory() as uow:
        users, tasks = uow.users.list(None, 10), uow.tasks.list(TaskFilter(), None, 10)
    assert [user.id for user in users] == [task.related_id]
    assert [listed.id for listed in tasks] == [task.id]


def test_a_bus_that_cannot_hand_over_raises_dispatch_failed_and_the_task_stays_pending(
    stuck_bus: BusUnderTest,
) -> None:
    """``submit`` records the task although the bus failed; a later dispatch (the relay's) says
    it failed, promptly, and the task is still there to be handed on."""
    task = stuck_bus.submit(CreateUser(values=user_fields()))
    assert stored(stuck_bus, task.id).status is TaskStatus.PENDING
    started = time.monotonic()
    with pytest.raises(DispatchFailed):
        stuck_bus.adapter.dispatch(task.id)
    assert time.monotonic() - started < QUICKLY
    assert stored(stuck_bus, task.id).status is TaskStatus.PENDING
    assert stuck_bus.runs_ended(task.id) == 0
