"""What cancel and retry ask of every store: the new fields kept, a cancel request saved in place
that no runner's save undoes, CANCELLED never due, and users read in batches."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from taskhub.application.ports import TaskFilter, UnitOfWorkFactory
from taskhub.application.users.handlers import user_place
from taskhub.domain.task import Task, TaskStatus
from taskhub.testing import MOMENT, a_task
from tests.contract.test_task_bookkeeping import IDLE, LEASE, claimed_task, loaded
from tests.contract.test_unit_of_work import saved_task, saved_user

ASKED = MOMENT + timedelta(seconds=5)


def request_cancel(uow_factory: UnitOfWorkFactory, task: Task) -> bool:
    """What the cancel use case does to a running task: mark it, save the mark in place."""
    with uow_factory() as uow:
        mine = uow.tasks.get(task.id)
        assert mine is not None
        mine.cancel(ASKED)
        saved = uow.tasks.save_cancel_request(mine)
        uow.commit()
    return saved


def test_a_cancelled_retried_task_round_trips_every_new_field(
    uow_factory: UnitOfWorkFactory,
) -> None:
    task = a_task(retry_of=uuid4())
    task.cancel(ASKED)
    task.record_retry(uuid4())
    with uow_factory() as uow:
        uow.tasks.add(task)
        uow.commit()
    stored = loaded(uow_factory, task.id)
    assert stored.to_dict() == task.to_dict()
    assert (stored.status, stored.cancel_requested_at) == (TaskStatus.CANCELLED, ASKED)
    assert (stored.retry_of, stored.retried_by) == (task.retry_of, task.retried_by)


def test_a_cancel_request_is_saved_keeping_the_version_and_updated_at(
    uow_factory: UnitOfWorkFactory,
) -> None:
    task = claimed_task(uow_factory)
    assert request_cancel(uow_factory, task)
    after = loaded(uow_factory, task.id)
    assert (after.status, after.cancel_requested_at) == (TaskStatus.PROCESSING, ASKED)
    assert (after.version, after.updated_at) == (task.version, task.updated_at)


def test_a_cancel_request_left_uncommitted_is_discarded(uow_factory: UnitOfWorkFactory) -> None:
    task = claimed_task(uow_factory)
    with uow_factory() as uow:
        mine = uow.tasks.get(task.id)
        assert mine is not None
        mine.cancel(ASKED)
        assert uow.tasks.save_cancel_request(mine)
    assert loaded(uow_factory, task.id).cancel_requested_at is None


def test_only_a_running_task_takes_a_cancel_request(uow_factory: UnitOfWorkFactory) -> None:
    finished = claimed_task(uow_factory)
    with uow_factory() as uow:
        mine = uow.tasks.get(finished.id)
        assert mine is not None
        mine.succeed({}, MOMENT)
        uow.commit()
    for task in (saved_task(uow_factory), finished):  # PENDING, DONE
        with uow_factory() as uow:
            mine = uow.tasks.get(task.id)
            assert mine is not None
            mine.cancel_requested_at = ASKED  # as if read while it was running
            assert not uow.tasks.save_cancel_request(mine)
            uow.commit()
        assert loaded(uow_factory, task.id).cancel_requested_at is None


def test_the_first_cancel_request_stays(uow_factory: UnitOfWorkFactory) -> None:
    task = claimed_task(uow_factory)
    with uow_factory() as first, uow_factory() as second:
        mine, theirs = first.tasks.get(task.id), second.tasks.get(task.id)
        assert mine is not None
        assert theirs is not None
        mine.cancel(ASKED)
        theirs.cancel(ASKED + timedelta(seconds=1))
        assert first.tasks.save_cancel_request(mine)
        first.commit()
        assert second.tasks.save_cancel_request(theirs)
        second.commit()
    assert loaded(uow_factory, task.id).cancel_requested_at == ASKED


def test_a_runner_s_saves_keep_a_cancel_request_made_since_it_loaded_the_task(
    uow_factory: UnitOfWorkFactory,
) -> None:
    """A save writes only what it changed: the runner's progress and its DONE commit, both
    over a copy loaded before the request, succeed, and the request stays."""
    task = claimed_task(uow_factory)
    with uow_factory() as running:
        mine = running.tasks.get(task.id)
        assert mine is not None
        assert request_cancel(uow_factory, task)
        mine.report_progress(50, MOMENT + timedelta(seconds=6))
        running.commit()
        mine.succeed({"user_id": "u"}, MOMENT + timedelta(seconds=7))
        running.commit()
    after = loaded(uow_factory, task.id)
    assert (after.status, after.progress, after.cancel_requested_at) == ("DONE", 100, ASKED)
    assert after.version == task.version + 2


def test_a_renewed_lease_survives_a_save_that_did_not_change_it(
    uow_factory: UnitOfWorkFactory,
) -> None:
    task = claimed_task(uow_factory)
    with uow_factory() as running:
        mine = running.tasks.get(task.id)
        assert mine is not None
        with uow_factory() as beating:
            assert beating.tasks.renew_lease(task.id, task.attempt, MOMENT + LEASE * 2)
            beating.commit()
        mine.report_progress(50, MOMENT)
        running.commit()
    assert loaded(uow_factory, task.id).lease_expires_at == MOMENT + LEASE * 2


def test_cancelled_tasks_are_listed_by_status_and_never_due(
    uow_factory: UnitOfWorkFactory,
) -> None:
    cancelled = a_task()
    cancelled.cancel(MOMENT)
    with uow_factory() as uow:
        uow.tasks.add(cancelled)
        uow.commit()
    saved_task(uow_factory)
    with uow_factory() as uow:
        found = uow.tasks.list(TaskFilter(status=TaskStatus.CANCELLED), None, 10)
        assert [t.id for t in found] == [cancelled.id]
        due = uow.tasks.due_for_relay(MOMENT + IDLE * 100, IDLE, 10, ignore_backoff=True)
        assert cancelled.id not in {t.id for t in due}
        assert len(due) == 1


@pytest.mark.parametrize("limit", [2, 3, 10])
def test_users_are_read_in_batches_from_after_the_last(
    uow_factory: UnitOfWorkFactory, limit: int
) -> None:
    """Users joined at one moment are ordered by id, so a batch ends in the same place."""
    users = [saved_user(uow_factory, now=MOMENT + timedelta(seconds=i // 3)) for i in range(8)]
    in_order = sorted(users, key=lambda u: (u.date_joined, u.id))
    with uow_factory() as uow:
        first = uow.users.list(None, limit)
        assert [u.id for u in first] == [u.id for u in in_order[:limit]]
        for i, user in enumerate(in_order):
            following = uow.users.list(user_place(user), limit)
            assert [u.id for u in following] == [u.id for u in in_order[i + 1 : i + 1 + limit]]
