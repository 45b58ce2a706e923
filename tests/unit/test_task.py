"""The Task lifecycle: PENDING → PROCESSING → DONE | FAILED, never backwards."""

from __future__ import annotations

from datetime import timedelta

import pytest

from taskhub.domain.errors import InvalidTransition
from taskhub.domain.events import TaskFailed, TaskProgressed, TaskStarted, TaskSucceeded
from taskhub.domain.task import Task, TaskStatus
from taskhub.testing import MOMENT, a_task

LEASE = timedelta(minutes=5)
LATER = MOMENT + timedelta(seconds=1)


def processing() -> Task:
    task = a_task()
    task.start(MOMENT, LEASE)
    return task


def done() -> Task:
    task = processing()
    task.succeed({"user_id": "x"}, LATER)
    return task


def failed() -> Task:
    task = processing()
    task.fail("user_not_found", "No such user.", LATER)
    return task


def test_a_submitted_task_is_pending_with_no_progress() -> None:
    task = a_task()
    assert (task.status, task.progress, task.attempt, task.result) == ("PENDING", 0, 0, None)
    assert task.created_at == task.updated_at == MOMENT


def test_start_claims_for_one_attempt_under_a_lease() -> None:
    task = processing()
    assert task.status is TaskStatus.PROCESSING
    assert task.attempt == 1
    assert task.lease_expires_at == MOMENT + LEASE
    assert task.events[-1] == TaskStarted(task_id=task.id, attempt=1)


def test_succeed_finishes_done_with_the_result_and_full_progress() -> None:
    task = done()
    assert task.status is TaskStatus.DONE
    assert task.result == {"success": True, "user_id": "x", "progress": 100}
    assert task.progress == 100
    assert task.updated_at == LATER
    assert task.lease_expires_at is None
    assert task.events[-1] == TaskSucceeded(task_id=task.id)


def test_fail_finishes_failed_saying_why_and_keeping_progress() -> None:
    task = processing()
    task.report_progress(40, MOMENT)
    task.fail("user_not_found", "No such user.", LATER)
    assert task.status is TaskStatus.FAILED
    assert task.result == {
        "success": False,
        "error": "No such user.",
        "code": "user_not_found",
        "progress": 40,
    }
    assert task.events[-1] == TaskFailed(task_id=task.id, code="user_not_found")


@pytest.mark.parametrize("make", [done, failed], ids=["done", "failed"])
def test_a_finished_task_cannot_move_again(make: object) -> None:
    task = make()  # type: ignore[operator]
    for move in (
        lambda: task.start(LATER, LEASE),
        lambda: task.report_progress(50, LATER),
        lambda: task.succeed({}, LATER),
        lambda: task.fail("x", "y", LATER),
    ):
        with pytest.raises(InvalidTransition):
            move()
    assert task.status in ("DONE", "FAILED")


def test_a_pending_task_cannot_finish_or_progress_before_it_starts() -> None:
    task = a_task()
    with pytest.raises(InvalidTransition):
        task.succeed({}, LATER)
    with pytest.raises(InvalidTransition):
        task.report_progress(10, LATER)
    with pytest.raises(InvalidTransition):
        task.fail("worker_lost", "Gave up.", LATER)
    assert task.status is TaskStatus.PENDING


def test_a_processing_task_cannot_be_started_again_while_its_lease_holds() -> None:
    task = processing()
    assert not task.can_be_claimed(MOMENT + LEASE - timedelta(microseconds=1))
    with pytest.raises(InvalidTransition):
        task.start(LATER, LEASE)
    assert task.attempt == 1


def test_an_expired_lease_lets_another_runner_claim_the_next_attempt() -> None:
    task = processing()
    expiry = MOMENT + LEASE
    assert task.can_be_claimed(expiry)
    task.start(expiry, LEASE)
    assert (task.status, task.attempt, task.lease_expires_at) == ("PROCESSING", 2, expiry + LEASE)


def test_progress_never_decreases_and_is_mirrored_in_the_result() -> None:
    task = processing()
    task.report_progress(60, LATER)
    task.report_progress(30, LATER)
    assert task.progress == 60
    assert task.result == {"progress": 60}
    assert [e for e in task.events if isinstance(e, TaskProgressed)] == [
        TaskProgressed(task_id=task.id, progress=60)
    ]


@pytest.mark.parametrize("value", [-1, 101])
def test_progress_out_of_range_is_refused(value: int) -> None:
    task = processing()
    with pytest.raises(InvalidTransition):
        task.report_progress(value, LATER)
    assert task.progress == 0


def test_to_dict_has_the_products_shape() -> None:
    task = done()
    data = task.to_dict()
    assert data["status"] == "DONE"
    assert data["operation"] == "CREATE"
    assert data["task_name"] == "create_user"
    assert data["related_table"] == "user"
    assert data["related_id"] == str(task.related_id)
    assert data["created_at"] == "2025-03-18T10:15:30Z"
    assert data["updated_at"] == "2025-03-18T10:15:31Z"
