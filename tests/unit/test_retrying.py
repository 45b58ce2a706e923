"""Retrying through the service: a new task with the same input, linked both ways, once."""

from __future__ import annotations

import threading
from datetime import timedelta
from uuid import UUID

import pytest
from dependency_injector import providers

from taskhub.application.service import Idempotency
from taskhub.domain.errors import (
    IdempotencyKeyReused,
    TaskAlreadyRetried,
    TaskNotFound,
    TaskNotRetryable,
    TaskRedacted,
)
from taskhub.domain.task import Task, TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.testing import HeldBus, ManualClock, user_fields
from tests.interleavings import AfterTaskCall
from tests.unit.test_running import pending


def failed_create(hub: Hub) -> tuple[Task, Task]:
    """A create that FAILED because another user took its username: (that user's task, it)."""
    fields = user_fields()
    taker = hub.users.create(**fields)
    failed = hub.users.create(**user_fields(username=fields["username"]))
    assert failed.status is TaskStatus.FAILED
    return taker, failed


def task_count(hub: Hub) -> int:
    return len(hub.container.memory_store().tasks)


def test_a_failed_task_is_submitted_again_linked_both_ways(hub: Hub) -> None:
    taker, failed = failed_create(hub)
    hub.users.delete(taker.related_id)  # type: ignore[arg-type]
    retry = hub.tasks.retry(failed.id)
    original = hub.tasks.get(failed.id)
    assert (retry.status, retry.retry_of, original.retried_by) == ("DONE", failed.id, retry.id)
    assert (retry.input_data, retry.task_name) == (failed.input_data, failed.task_name)
    assert retry.id != failed.id
    assert (original.status, original.updated_at) == (failed.status, failed.updated_at)
    names = [e.name for e in hub.container.event_publisher().recent]
    retried = names.index("task.retried")
    assert names[retried : retried + 2] == ["task.retried", "task.submitted"]  # one commit
    assert names[retried + 2 :] == [
        "task.started", "task.progressed", "task.progressed", "user.created", "task.done",
    ]  # then the run  # fmt: skip


def test_a_retried_create_makes_the_user_its_first_task_chose(hub: Hub) -> None:
    """Retries of one create keep its user id, so however many run, they make one user."""
    taker, failed = failed_create(hub)
    hub.users.delete(taker.related_id)  # type: ignore[arg-type]
    retry = hub.tasks.retry(failed.id)
    assert retry.related_id == failed.related_id
    assert retry.result["user_id"] == str(failed.related_id)  # type: ignore[index]


def test_a_cancelled_task_may_be_retried(hub: Hub) -> None:
    cancelled = hub.tasks.cancel(pending(hub))
    retry = hub.tasks.retry(cancelled.id)
    assert (retry.status, retry.retry_of) == (TaskStatus.DONE, cancelled.id)
    assert len(hub.container.memory_store().users) == 1


def test_a_task_that_did_its_work_or_is_doing_it_is_not_retried(hub: Hub) -> None:
    done = hub.users.create(**user_fields())
    for task_id in (done.id, pending(hub)):
        count = task_count(hub)
        with pytest.raises(TaskNotRetryable):
            hub.tasks.retry(task_id)
        assert (task_count(hub), hub.tasks.get(task_id).retried_by) == (count, None)
    with pytest.raises(TaskNotFound):
        hub.tasks.retry(UUID(int=1))


def test_a_task_is_retried_once_and_a_failed_retry_may_be_retried(hub: Hub) -> None:
    _, failed = failed_create(hub)
    retry = hub.tasks.retry(failed.id)  # the username is still taken: FAILED again
    with pytest.raises(TaskAlreadyRetried) as again:
        hub.tasks.retry(failed.id)
    assert again.value.retry_id == retry.id
    second = hub.tasks.retry(retry.id)
    assert (second.retry_of, hub.tasks.get(retry.id).retried_by) == (retry.id, second.id)


def test_a_key_already_used_returns_the_first_retry(hub: Hub) -> None:
    _, failed = failed_create(hub)
    service, key = hub.service(), Idempotency("key-1", "retry of this task")
    first = service.retry(failed.id, key)
    assert service.retry(failed.id, key).id == first.id  # though the task is retried now
    count = task_count(hub)
    with pytest.raises(IdempotencyKeyReused):
        service.retry(failed.id, Idempotency("key-1", "another request"))
    assert task_count(hub) == count


def test_of_two_retries_racing_one_is_submitted_and_the_other_told_which(hub: Hub) -> None:
    _, failed = failed_create(hub)
    meeting = threading.Barrier(2)
    store = hub.container.memory_store()
    # each task added waits for the other: both retries pass their checks before either commits
    # (the loser's second try stops at its check: it adds nothing)
    meet = AfterTaskCall(store, "add", lambda: meeting.wait(timeout=10), times=None)
    hub.container.unit_of_work.override(providers.Callable(meet))
    outcomes: list[Task | Exception] = []

    def retry() -> None:
        try:
            outcomes.append(hub.tasks.retry(failed.id))
        except TaskAlreadyRetried as refused:
            outcomes.append(refused)

    racers = [threading.Thread(target=retry) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=10)
    hub.container.unit_of_work.reset_override()
    retries = [outcome for outcome in outcomes if isinstance(outcome, Task)]
    refusals = [outcome for outcome in outcomes if isinstance(outcome, TaskAlreadyRetried)]
    assert (len(retries), len(refusals)) == (1, 1)
    assert refusals[0].retry_id == retries[0].id == hub.tasks.get(failed.id).retried_by
    assert len([t for t in store.tasks.values() if t.retry_of == failed.id]) == 1


def test_a_keyed_retry_that_meets_its_own_first_commit_gets_that_task(hub: Hub) -> None:
    _, failed = failed_create(hub)
    key = Idempotency("key-1", "the same request")
    first: list[Task] = []
    other = hub.container.service()  # on the real units of work: the request that wins
    # this retry finds no task of its key; the other then retries and commits
    late = AfterTaskCall(
        hub.container.memory_store(),
        "get_by_idempotency_key",
        lambda: first.append(other.retry(failed.id, key)),
    )
    hub.container.unit_of_work.override(providers.Callable(late))
    try:
        answer = hub.container.service().retry(failed.id, key)
    finally:
        hub.container.unit_of_work.reset_override()
    assert answer.id == first[0].id == hub.tasks.get(failed.id).retried_by


DAY = timedelta(days=1)


def redacted_failure_and_cancel(hub: Hub, clock: ManualClock) -> tuple[Task, Task]:
    """A FAILED and a CANCELLED update of a user since deleted and redacted, neither retried."""
    user_id = hub.users.create(**user_fields()).related_id
    assert user_id is not None
    taken = hub.users.create(**user_fields()).input_data["email"]
    failed = hub.users.update(user_id, email=taken)  # FAILED: email_taken
    hub.container.task_bus.override(providers.Object(HeldBus()))
    cancelled = hub.tasks.cancel(hub.users.update(user_id, first_name="Augusta").id)
    hub.container.task_bus.reset_override()
    hub.users.delete(user_id)
    clock.advance(2 * DAY)
    assert hub.tasks.purge().redacted == 4
    tasks = (hub.tasks.get(failed.id), hub.tasks.get(cancelled.id))
    assert [task.status for task in tasks] == [TaskStatus.FAILED, TaskStatus.CANCELLED]
    assert all(task.redacted_at is not None for task in tasks)
    return tasks


def test_a_redacted_task_is_not_retried_and_says_why(hub: Hub, clock: ManualClock) -> None:
    """Its input lost what it asked ("[redacted]"): a retry would submit something else, or
    be refused as invalid_user_data, which the client never sent."""
    for task in redacted_failure_and_cancel(hub, clock):
        count = task_count(hub)
        with pytest.raises(TaskRedacted) as refused:
            hub.tasks.retry(task.id)
        assert (refused.value.code, refused.value.task_id) == ("task_redacted", task.id)
        assert (task_count(hub), hub.tasks.get(task.id).retried_by) == (count, None)


def test_a_keyed_retry_made_before_the_redaction_is_answered_again(
    hub: Hub, clock: ManualClock
) -> None:
    _, failed = failed_create(hub)
    service, key = hub.service(), Idempotency("key-1", "retry of this task")
    first = service.retry(failed.id, key)
    with hub.container.unit_of_work() as uow:  # as the redaction of a deleted user would
        uow.tasks.get(failed.id).redact(clock.now())  # type: ignore[union-attr]
        uow.commit()
    assert service.retry(failed.id, key).id == first.id
    with pytest.raises(TaskRedacted):
        service.retry(failed.id, Idempotency("key-2", "retry of this task"))


def test_a_retry_meeting_the_redaction_of_its_task_before_its_commit_is_refused(
    hub: Hub,
) -> None:
    _, failed = failed_create(hub)
    store = hub.container.memory_store()

    def redact() -> None:
        with hub.container.unit_of_work() as uow:
            uow.tasks.get(failed.id).redact(hub.container.clock().now())  # type: ignore[union-attr]
            uow.commit()

    # the redaction commits after this retry loaded and linked its task, before its commit
    hub.container.unit_of_work.override(providers.Callable(AfterTaskCall(store, "add", redact)))
    try:
        with pytest.raises(TaskRedacted):
            hub.container.service().retry(failed.id)
    finally:
        hub.container.unit_of_work.reset_override()
    assert hub.tasks.get(failed.id).retried_by is None


def test_a_keyed_retry_losing_a_race_is_told_which_retry_won_not_that_its_key_is_busy(
    hub: Hub,
) -> None:
    """Its commit meets the original saved by the other retry (ConcurrentUpdate), not a key
    another submission released: it looks again and meets the other's link."""
    _, failed = failed_create(hub)
    other = hub.container.service()
    won: list[Task] = []
    store = hub.container.memory_store()
    other_wins = AfterTaskCall(
        store, "add", lambda: won.append(other.retry(failed.id, Idempotency("b", "b")))
    )
    hub.container.unit_of_work.override(providers.Callable(other_wins))
    try:
        with pytest.raises(TaskAlreadyRetried) as refused:
            hub.container.service().retry(failed.id, Idempotency("a", "a"))
    finally:
        hub.container.unit_of_work.reset_override()
    assert refused.value.retry_id == won[0].id == hub.tasks.get(failed.id).retried_by


def test_a_repeated_keyed_retry_whose_key_expired_is_not_answered_with_the_old_retry(
    hub: Hub, clock: ManualClock
) -> None:
    """The key named the first retry for a day; then the request is a new one, and the task
    it retries was retried already."""
    _, failed = failed_create(hub)
    service, key = hub.service(), Idempotency("key-1", "retry of this task")
    first = service.retry(failed.id, key)
    assert hub.tasks.get(first.id).status is TaskStatus.FAILED  # the username is still taken
    clock.advance(DAY)
    with pytest.raises(TaskAlreadyRetried) as refused:
        service.retry(failed.id, key)
    assert refused.value.retry_id == first.id
    assert hub.tasks.get(first.id).idempotency_key == "key-1"  # the refusal released nothing
