"""The retention part of the task repository contract: what a purge deletes, which tasks a
deleted user leaves to redact, and an expired idempotency key taken by a new task."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from taskhub.application.ports import (
    ConcurrentUpdate,
    Cutoff,
    TaskFilter,
    UnitOfWork,
    UnitOfWorkFactory,
)
from taskhub.application.retention import READS, WRITES
from taskhub.domain.task import Operation, Task, TaskName, TaskStatus
from taskhub.testing import MOMENT, a_task

LEASE = timedelta(seconds=30)
DAY = timedelta(days=1)
KINDS = {
    TaskName.CREATE_USER: Operation.CREATE,
    TaskName.GET_USER: Operation.READ,
    TaskName.LIST_USERS: Operation.READ,
    TaskName.UPDATE_USER: Operation.UPDATE,
    TaskName.DELETE_USER: Operation.DELETE,
}


def a_finished_task(
    at: datetime = MOMENT,
    name: TaskName = TaskName.CREATE_USER,
    status: TaskStatus = TaskStatus.DONE,
    **overrides: Any,
) -> Task:
    """A task of ``name`` that finished (or, for PENDING/PROCESSING, was last changed) ``at``."""
    values: dict[str, Any] = {"task_name": name, "operation": KINDS[name], "now": at}
    task = a_task(**{**values, **overrides})
    if status is not TaskStatus.PENDING:
        task.start(at, LEASE)
    if status is TaskStatus.DONE:
        task.succeed({"message": "Successfully did it to ada"}, at)
    elif status is TaskStatus.FAILED:
        task.fail("username_taken", "The username 'ada' is already taken.", at)
    elif status is TaskStatus.CANCELLED:  # marked while running, then stopped at a safe point
        task.cancel(at)
        task.stop_at_safe_point(at)
    return task


def cut(operations: frozenset[Operation], finished_before: datetime) -> Cutoff:
    """A purge of ``operations`` finished before ``finished_before``, whose keys expired then."""
    return Cutoff(operations, finished_before, keys_before=finished_before)


def save(uow_factory: UnitOfWorkFactory, *tasks: Task) -> None:
    with uow_factory() as uow:
        for task in tasks:
            uow.tasks.add(task)
        uow.commit()


def stored_ids(uow_factory: UnitOfWorkFactory) -> set[UUID]:
    with uow_factory() as uow:
        return {task.id for task in uow.tasks.list(TaskFilter(), None, 500)}


def test_a_purge_deletes_the_finished_tasks_of_its_operations_that_finished_before_it(
    uow_factory: UnitOfWorkFactory,
) -> None:
    old, cutoff = MOMENT, MOMENT + DAY
    purged = [a_finished_task(old), a_finished_task(old, status=TaskStatus.FAILED)]
    kept = [
        a_finished_task(old, TaskName.GET_USER),  # a read: not among the operations
        a_finished_task(cutoff),  # finished at the moment, not before it
        a_finished_task(old, status=TaskStatus.PENDING),
        a_finished_task(old, status=TaskStatus.PROCESSING),  # its lease ran out long ago
    ]
    save(uow_factory, *purged, *kept)
    with uow_factory() as uow:
        assert uow.tasks.count_purgeable(cut(WRITES, cutoff)) == 2
        assert uow.tasks.count_purgeable(cut(READS, cutoff)) == 1
        assert uow.tasks.purge_finished(cut(WRITES, cutoff), 10) == 2
        uow.commit()
    assert stored_ids(uow_factory) == {task.id for task in kept}


def test_a_cancelled_task_is_finished_and_purged_and_a_running_one_marked_to_cancel_is_not(
    uow_factory: UnitOfWorkFactory,
) -> None:
    old, cutoff = MOMENT, MOMENT + DAY
    never_started = a_finished_task(old, status=TaskStatus.PENDING)
    never_started.cancel(old)
    stopped = a_finished_task(old, status=TaskStatus.CANCELLED)
    marked = a_finished_task(old, status=TaskStatus.PROCESSING)
    save(uow_factory, never_started, stopped, marked)
    with uow_factory() as uow:  # the mark as a cancel saves it: in place, on a running task
        running = uow.tasks.get(marked.id)
        assert running is not None
        running.cancel(old)
        assert uow.tasks.save_cancel_request(running)
        uow.commit()
    assert {never_started.status, stopped.status} == {TaskStatus.CANCELLED}
    with uow_factory() as uow:
        assert uow.tasks.count_purgeable(cut(WRITES, cutoff)) == 2
        assert uow.tasks.purge_finished(cut(WRITES, cutoff), 10) == 2
        uow.commit()
    assert stored_ids(uow_factory) == {marked.id}
    with uow_factory() as uow:
        kept = uow.tasks.get(marked.id)
    assert kept is not None
    assert (kept.status, kept.cancel_requested_at) == (TaskStatus.PROCESSING, old)


def test_a_purge_takes_at_most_its_limit_and_without_a_commit_deletes_nothing(
    uow_factory: UnitOfWorkFactory,
) -> None:
    save(uow_factory, *(a_finished_task() for _ in range(5)))
    with uow_factory() as uow:
        assert uow.tasks.purge_finished(cut(WRITES, MOMENT + DAY), 3) == 3
    assert len(stored_ids(uow_factory)) == 5
    with uow_factory() as uow:
        assert uow.tasks.purge_finished(cut(WRITES, MOMENT + DAY), 3) == 3
        uow.commit()
        assert uow.tasks.purge_finished(cut(WRITES, MOMENT + DAY), 3) == 2
        uow.commit()
    assert stored_ids(uow_factory) == set()


def test_a_purged_tasks_idempotency_key_is_free_again(uow_factory: UnitOfWorkFactory) -> None:
    save(uow_factory, a_finished_task(idempotency_key="k", request_fingerprint="f"))
    with uow_factory() as uow:
        uow.tasks.purge_finished(cut(WRITES, MOMENT + DAY), 10)
        uow.commit()
    again = a_task(idempotency_key="k", request_fingerprint="g")
    save(uow_factory, again)
    with uow_factory() as uow:
        assert uow.tasks.get_by_idempotency_key("k") == again


def test_an_expired_key_is_released_and_taken_by_a_new_task_in_one_unit_of_work(
    uow_factory: UnitOfWorkFactory,
) -> None:
    """Flushed first, the release leaves the unique index free for the new task's INSERT."""
    first = a_finished_task(idempotency_key="k", request_fingerprint="f")
    save(uow_factory, first)
    later, new = MOMENT + DAY, a_task(idempotency_key="k", request_fingerprint="f")
    with uow_factory() as uow:
        earlier = uow.tasks.get_by_idempotency_key("k")
        assert earlier is not None
        earlier.release_idempotency_key(later, DAY)
        uow.flush()
        uow.tasks.add(new)
        uow.commit()
    with uow_factory() as uow:
        assert uow.tasks.get_by_idempotency_key("k") == new
        old = uow.tasks.get(first.id)
    assert old is not None
    assert (old.idempotency_key, old.request_fingerprint, old.status) == (None, "f", "DONE")


def take_key(uow: UnitOfWork, task: Task) -> None:
    """What a submission does once it released an expired key: flush, add the new task, commit."""
    uow.flush()
    uow.tasks.add(task)
    uow.commit()


def test_of_two_releases_of_one_expired_key_only_the_first_commits(
    uow_factory: UnitOfWorkFactory,
) -> None:
    save(uow_factory, a_finished_task(idempotency_key="k"))
    mine, theirs = a_task(idempotency_key="k"), a_task(idempotency_key="k")
    with uow_factory() as first, uow_factory() as second:
        for uow in (first, second):
            uow.tasks.get_by_idempotency_key("k").release_idempotency_key(MOMENT + DAY, DAY)  # type: ignore[union-attr]
        take_key(first, mine)
        with pytest.raises(ConcurrentUpdate):  # at the flush (SQL) or the commit (memory)
            take_key(second, theirs)
    with uow_factory() as uow:
        assert uow.tasks.get_by_idempotency_key("k") == mine
        assert uow.tasks.get(theirs.id) is None


def on_user(user_id: UUID, name: TaskName, at: datetime = MOMENT, **kwargs: Any) -> Task:
    return a_finished_task(at, name, related_id=user_id, input_data={"username": "ada"}, **kwargs)


def redact_all(uow_factory: UnitOfWorkFactory, before: datetime, limit: int = 10) -> set[UUID]:
    """One batch of ``redactable``, redacted and committed; the ids it redacted."""
    with uow_factory() as uow:
        found = uow.tasks.redactable(before, limit)
        for task in found:
            task.redact(before)
        uow.commit()
    return {task.id for task in found}


def test_a_deleted_users_finished_tasks_are_redactable_and_its_deletion_comes_last(
    uow_factory: UnitOfWorkFactory,
) -> None:
    gone, deleted_later, alive = uuid4(), uuid4(), uuid4()
    before = MOMENT + DAY
    finished = [
        on_user(gone, TaskName.CREATE_USER),
        on_user(gone, TaskName.GET_USER),
        on_user(gone, TaskName.UPDATE_USER, status=TaskStatus.FAILED),
        on_user(gone, TaskName.UPDATE_USER, status=TaskStatus.CANCELLED),
        on_user(gone, TaskName.DELETE_USER, status=TaskStatus.FAILED),  # lost to the deletion
    ]
    running = on_user(gone, TaskName.UPDATE_USER, status=TaskStatus.PROCESSING)
    deletion = on_user(gone, TaskName.DELETE_USER)
    untouched = [
        on_user(deleted_later, TaskName.CREATE_USER),
        on_user(deleted_later, TaskName.DELETE_USER, at=before),
        on_user(alive, TaskName.CREATE_USER),
        a_finished_task(name=TaskName.LIST_USERS, input_data={"page": 1}),
    ]
    save(uow_factory, *finished, running, deletion, *untouched)
    with uow_factory() as uow:
        assert uow.tasks.count_redactable(before) == len(finished) + 1
    assert redact_all(uow_factory, before) == {task.id for task in finished}
    assert redact_all(uow_factory, before) == set()  # the deletion waits for the running one
    with uow_factory() as uow:
        uow.tasks.get(running.id).fail("user_not_found", "No such user.", MOMENT)  # type: ignore[union-attr]
        uow.commit()
    assert redact_all(uow_factory, before) == {running.id}
    assert redact_all(uow_factory, before) == {deletion.id}
    with uow_factory() as uow:
        assert uow.tasks.count_redactable(before) == 0
        stored = uow.tasks.get(deletion.id)
        assert all(uow.tasks.get(task.id).redacted_at is None for task in untouched)  # type: ignore[union-attr]
    assert stored is not None
    assert (stored.redacted_at, stored.input_data) == (before, {"username": "[redacted]"})


def test_redaction_takes_at_most_its_limit(uow_factory: UnitOfWorkFactory) -> None:
    gone = uuid4()
    save(uow_factory, *(on_user(gone, TaskName.GET_USER) for _ in range(3)))
    save(uow_factory, on_user(gone, TaskName.DELETE_USER))
    assert len(redact_all(uow_factory, MOMENT + DAY, limit=2)) == 2
    assert len(redact_all(uow_factory, MOMENT + DAY, limit=2)) == 1
    assert len(redact_all(uow_factory, MOMENT + DAY, limit=2)) == 1  # then the deletion


def test_a_purge_keeps_a_task_whose_idempotency_key_still_names_it(
    uow_factory: UnitOfWorkFactory,
) -> None:
    """Its key names it until ``keys_before`` passes its submission: a purge by a shorter span
    (``--older-than 12h``) would let a client's retry of that request run it again."""
    keyed = a_finished_task(idempotency_key="k", request_fingerprint="f")
    unkeyed = a_finished_task()
    save(uow_factory, keyed, unkeyed)
    key_holds = Cutoff(WRITES, MOMENT + DAY, keys_before=MOMENT - DAY)
    with uow_factory() as uow:
        assert uow.tasks.count_purgeable(key_holds) == 1
        assert uow.tasks.purge_finished(key_holds, 10) == 1
        uow.commit()
    assert stored_ids(uow_factory) == {keyed.id}
    key_expired = Cutoff(WRITES, MOMENT + DAY, keys_before=MOMENT)  # submitted at MOMENT
    with uow_factory() as uow:
        assert uow.tasks.purge_finished(key_expired, 10) == 1
        uow.commit()
    assert stored_ids(uow_factory) == set()


def test_a_purge_keeps_a_users_deletion_until_it_is_redacted(
    uow_factory: UnitOfWorkFactory,
) -> None:
    """Redaction finds a deleted user's tasks through the deletion: purged first, a task that
    finished after it would keep that user's fields."""
    gone = uuid4()
    deletion, failed_deletion = (
        on_user(gone, TaskName.DELETE_USER),
        on_user(gone, TaskName.DELETE_USER, status=TaskStatus.FAILED),
    )
    save(uow_factory, deletion, failed_deletion)
    with uow_factory() as uow:
        assert uow.tasks.count_purgeable(cut(WRITES, MOMENT + DAY)) == 1
        assert uow.tasks.purge_finished(cut(WRITES, MOMENT + DAY), 10) == 1  # the failed one
        uow.commit()
    assert redact_all(uow_factory, MOMENT + DAY) == {deletion.id}
    with uow_factory() as uow:
        assert uow.tasks.purge_finished(cut(WRITES, MOMENT + DAY), 10) == 1
        uow.commit()
    assert stored_ids(uow_factory) == set()


def test_a_dry_runs_redaction_count_leaves_out_what_its_purge_deletes_first(
    uow_factory: UnitOfWorkFactory,
) -> None:
    gone = uuid4()
    old, recent = (
        on_user(gone, TaskName.UPDATE_USER),
        on_user(gone, TaskName.UPDATE_USER, at=MOMENT + 2 * DAY),
    )
    save(uow_factory, old, recent, on_user(gone, TaskName.DELETE_USER))
    purged = [cut(WRITES, MOMENT + DAY)]  # takes ``old``; the deletion waits for redaction
    with uow_factory() as uow:
        assert uow.tasks.count_redactable(MOMENT + DAY) == 3
        assert uow.tasks.count_redactable(MOMENT + DAY, purged) == 2
