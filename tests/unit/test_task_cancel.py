"""CANCELLED in the Task state machine, and the links between a task and its retry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import uuid4

import pytest

from taskhub.domain.errors import (
    InvalidTransition,
    TaskAlreadyFinished,
    TaskAlreadyRetried,
    TaskNotRetryable,
    TaskRedacted,
)
from taskhub.domain.events import TaskCancelled, TaskCancelRequested, TaskRetried
from taskhub.domain.task import RUNNER_GONE, Task, TaskStatus
from taskhub.testing import MOMENT, a_task
from tests.unit.test_task import LATER, LEASE, done, failed, processing

IDLE = timedelta(seconds=30)


def cancelled() -> Task:
    task = a_task()
    task.cancel(LATER)
    return task


def test_a_pending_task_is_cancelled_at_once_and_says_so() -> None:
    task = cancelled()
    assert (task.status, task.cancel_requested_at, task.updated_at) == ("CANCELLED", LATER, LATER)
    assert task.result == {
        "success": False,
        "error": "It was cancelled before it started; nothing was changed.",
        "code": "cancelled",
        "progress": 0,
    }
    assert task.is_finished
    assert task.events[-1] == TaskCancelled(task_id=task.id)


def test_a_running_task_is_only_marked_for_its_runner() -> None:
    task = processing()
    version, updated = task.version, task.updated_at
    task.cancel(LATER)
    assert (task.status, task.cancel_requested_at) == (TaskStatus.PROCESSING, LATER)
    assert (task.version, task.updated_at, task.result) == (version, updated, None)
    assert task.events[-1] == TaskCancelRequested(task_id=task.id)


def test_cancelling_twice_changes_nothing_more() -> None:
    for task in (processing(), cancelled()):
        task.cancel(LATER)
        before = (task.to_dict(), len(task.events))
        task.cancel(LATER + timedelta(seconds=5))
        assert (task.to_dict(), len(task.events)) == before


@pytest.mark.parametrize("make", [done, failed], ids=["done", "failed"])
def test_a_finished_task_cannot_be_cancelled(make: Callable[[], Task]) -> None:
    task = make()
    before = task.to_dict()
    with pytest.raises(TaskAlreadyFinished) as refused:
        task.cancel(LATER)
    assert refused.value.code == "task_already_finished"
    assert str(task.status) in refused.value.message
    assert task.to_dict() == before


def test_a_task_whose_runner_is_gone_is_cancelled_at_once() -> None:
    task = processing()
    task.cancel(MOMENT + LEASE)  # the lease ran out: nobody is running it
    assert task.status is TaskStatus.CANCELLED
    assert task.result is not None
    assert task.result["error"] == RUNNER_GONE


def test_cancelled_is_final() -> None:
    task = cancelled()
    for move in (
        lambda: task.start(LATER, LEASE),
        lambda: task.report_progress(50, LATER),
        lambda: task.succeed({}, LATER),
        lambda: task.fail("x", "y", LATER),
        lambda: task.stop_at_safe_point(LATER),
    ):
        with pytest.raises(InvalidTransition):
            move()
    later = LATER + IDLE * 100
    assert not task.can_be_claimed(later)
    assert not task.due_for_relay(later, IDLE, ignore_backoff=True)
    assert task.status is TaskStatus.CANCELLED


def test_a_runner_stops_a_marked_task_at_a_safe_point() -> None:
    task = processing()
    task.report_progress(40, MOMENT)
    task.cancel(MOMENT)
    task.stop_at_safe_point(LATER)
    assert (task.status, task.progress, task.lease_expires_at) == ("CANCELLED", 40, None)
    assert task.result["code"] == "cancelled"  # type: ignore[index]
    assert "stopped at a safe point" in task.result["error"]  # type: ignore[index]


def test_an_unmarked_task_does_not_stop() -> None:
    task = processing()
    with pytest.raises(InvalidTransition):
        task.stop_at_safe_point(LATER)
    assert task.status is TaskStatus.PROCESSING


def test_a_marked_task_whose_runner_died_is_cancelled_instead_of_run_again() -> None:
    task = processing()
    task.cancel(MOMENT)
    assert not task.cancel_if_requested(MOMENT + LEASE - timedelta(microseconds=1))
    assert task.cancel_if_requested(MOMENT + LEASE)
    assert task.status is TaskStatus.CANCELLED
    assert not processing().cancel_if_requested(MOMENT + LEASE)  # not asked: run it again


def test_a_task_finished_after_its_cancel_was_asked_keeps_the_mark() -> None:
    """The record of a cancel that came too late: DONE, with ``cancel_requested_at``."""
    task = processing()
    task.cancel(MOMENT)
    task.succeed({"user_id": "x"}, LATER)
    data = task.to_dict()
    assert (data["status"], data["cancel_requested_at"]) == ("DONE", "2025-03-18T10:15:30Z")


@pytest.mark.parametrize("make", [failed, cancelled], ids=["failed", "cancelled"])
def test_a_failed_or_cancelled_task_records_its_one_retry(make: Callable[[], Task]) -> None:
    task, retry_id = make(), uuid4()
    updated = task.updated_at
    task.record_retry(retry_id)
    assert (task.retried_by, task.updated_at) == (retry_id, updated)
    assert task.events[-1] == TaskRetried(task_id=task.id, retry_id=retry_id)
    with pytest.raises(TaskAlreadyRetried) as again:
        task.record_retry(uuid4())
    assert again.value.retry_id == retry_id
    assert str(retry_id) in again.value.message
    assert task.retried_by == retry_id


@pytest.mark.parametrize("make", [a_task, processing, done], ids=["pending", "processing", "done"])
def test_only_a_failed_or_cancelled_task_may_be_retried(make: Callable[[], Task]) -> None:
    task = make()
    with pytest.raises(TaskNotRetryable) as refused:
        task.record_retry(uuid4())
    assert refused.value.code == "task_not_retryable"
    assert task.retried_by is None


@pytest.mark.parametrize("make", [failed, cancelled], ids=["failed", "cancelled"])
def test_a_redacted_task_is_not_retried(make: Callable[[], Task]) -> None:
    """Its input no longer says what it asked; the status is judged first."""
    task = make()
    task.redact(LATER)
    for check in (task.check_retryable, lambda: task.record_retry(uuid4())):
        with pytest.raises(TaskRedacted) as refused:
            check()
        assert (refused.value.code, refused.value.task_id) == ("task_redacted", task.id)
    assert task.retried_by is None
    assert not [event for event in task.events if isinstance(event, TaskRetried)]
    redacted_done = done()
    redacted_done.redact(LATER)
    with pytest.raises(TaskNotRetryable):
        redacted_done.check_retryable()


def test_a_retry_names_what_it_retries_and_both_links_are_published() -> None:
    original = failed()
    retry = a_task(retry_of=original.id)
    original.record_retry(retry.id)
    assert retry.to_dict()["retry_of"] == str(original.id)
    assert original.to_dict()["retried_by"] == str(retry.id)
    assert (retry.to_dict()["retried_by"], original.to_dict()["retry_of"]) == (None, None)
