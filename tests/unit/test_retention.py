"""Retention through the service, in memory, on a clock the tests move: what a purge deletes,
what it never touches, reads kept a shorter time, batches, and a dry run."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from dependency_injector import providers

from taskhub.application.service import Idempotency
from taskhub.application.users.commands import CreateUser, UpdateUser
from taskhub.domain.errors import InvalidQuery
from taskhub.domain.redaction import REDACTED
from taskhub.domain.task import Task, TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.testing import HeldBus, ManualClock, memory_hub, user_fields
from tests.interleavings import AfterTaskCall

DAY, HOUR = timedelta(days=1), timedelta(hours=1)


def stored(hub: Hub) -> set[UUID]:
    return {task.id for task in hub.tasks.list(page_size=500).items}


def a_user_and_a_read(hub: Hub) -> tuple[Task, Task]:
    """A user created, then read: a write and a read task, both DONE."""
    created = hub.users.create(**user_fields())
    return created, hub.users.get(created.related_id)  # type: ignore[arg-type]


def test_finished_tasks_go_once_they_finished_longer_ago_than_the_retention(
    hub: Hub, clock: ManualClock
) -> None:
    old = hub.users.create(**user_fields())
    failed = hub.users.create(**{**user_fields(), "username": old.input_data["username"]})
    assert failed.status is TaskStatus.FAILED
    clock.advance(29 * DAY)
    young = hub.users.create(**user_fields())
    clock.advance(DAY + timedelta(seconds=1))
    report = hub.tasks.purge()
    assert (report.purged, report.purged_reads, report.complete) == (2, 0, True)
    assert stored(hub) == {young.id}
    assert report.finished_before == clock.now() - 30 * DAY


def test_a_task_on_its_way_is_never_purged_however_old(hub: Hub, clock: ManualClock) -> None:
    hub.container.task_bus.override(providers.Object(HeldBus()))
    pending = hub.users.create(**user_fields())
    claimed = hub.users.create(**user_fields())
    with hub.container.unit_of_work() as uow:
        uow.tasks.get(claimed.id).start(clock.now(), timedelta(seconds=30))  # type: ignore[union-attr]
        uow.commit()
    clock.advance(365 * DAY)  # the claim's lease ran out long ago, too
    assert hub.tasks.purge(older_than="1s").purged == 0
    assert stored(hub) == {pending.id, claimed.id}


def test_a_cancelled_task_goes_as_finished_and_one_running_with_a_cancel_asked_stays(
    hub: Hub, clock: ManualClock
) -> None:
    hub.container.task_bus.override(providers.Object(HeldBus()))
    cancelled = hub.tasks.cancel(hub.users.create(**user_fields()).id)
    claimed = hub.users.create(**user_fields())
    with hub.container.unit_of_work() as uow:
        uow.tasks.get(claimed.id).start(clock.now(), timedelta(seconds=30))  # type: ignore[union-attr]
        uow.commit()
    marked = hub.tasks.cancel(claimed.id)  # its runner holds it: only marked
    assert cancelled.status is TaskStatus.CANCELLED
    assert (marked.status, marked.cancel_requested_at) == (TaskStatus.PROCESSING, clock.now())
    clock.advance(30 * DAY + timedelta(seconds=1))
    assert hub.tasks.purge().purged == 1
    assert stored(hub) == {claimed.id}
    assert hub.tasks.get(claimed.id).cancel_requested_at == marked.cancel_requested_at


def test_reads_go_after_their_own_shorter_retention(hub: Hub, clock: ManualClock) -> None:
    created, _ = a_user_and_a_read(hub)
    hub.users.list()
    clock.advance(DAY + timedelta(seconds=1))
    report = hub.tasks.purge()
    assert (report.purged, report.purged_reads) == (2, 2)
    assert stored(hub) == {created.id}


def test_older_than_replaces_the_retention_and_reads_go_at_the_shorter_of_both(
    hub: Hub, clock: ManualClock
) -> None:
    a_user_and_a_read(hub)
    clock.advance(timedelta(hours=13))
    assert hub.tasks.purge(older_than="1d").purged == 0  # reads: the shorter, 1d, not passed
    report = hub.tasks.purge(older_than=timedelta(hours=12))
    assert (report.purged, report.purged_reads) == (2, 1)
    assert report.reads_finished_before == report.finished_before == clock.now() - 12 * DAY / 24


def test_a_dry_run_counts_what_would_go_and_changes_nothing(hub: Hub, clock: ManualClock) -> None:
    a_user_and_a_read(hub)
    clock.advance(31 * DAY)
    before = stored(hub)
    report = hub.tasks.purge(dry_run=True)
    assert (report.dry_run, report.purged, report.purged_reads) == (True, 2, 1)
    assert stored(hub) == before


def test_a_purge_goes_in_batches_and_stops_at_its_budget(clock: ManualClock) -> None:
    with memory_hub(clock, purge_batch_size=2) as hub:
        for _ in range(5):
            hub.users.create(**user_fields())
        clock.advance(31 * DAY)
        first = hub.service().purge(max_batches=3)  # reads (none), then two of 2 writes
        assert (first.purged, first.complete) == (4, False)
        rest = hub.service().purge()
        assert (rest.purged, rest.complete) == (1, True)
        assert stored(hub) == set()


@pytest.mark.parametrize("age", ["0s", "soon", "30", timedelta(0), timedelta(days=-1)])
def test_an_age_that_is_not_a_positive_duration_is_refused(hub: Hub, age: object) -> None:
    with pytest.raises(InvalidQuery) as refused:
        hub.tasks.purge(older_than=age)  # type: ignore[arg-type]
    assert set(refused.value.errors) == {"older_than"}


def test_a_purge_keeps_a_task_while_its_key_names_it_so_a_replay_never_runs_twice(
    hub: Hub, clock: ManualClock
) -> None:
    service, key = hub.service(), Idempotency("key-1", "the request")
    user_id = hub.users.create(**user_fields()).related_id
    assert user_id is not None
    first = service.submit(UpdateUser(user_id=user_id, values={"first_name": "Ada"}), key)
    clock.advance(13 * HOUR)
    assert hub.tasks.purge(older_than="12h").purged == 1  # the create, which has no key
    replay = service.submit(UpdateUser(user_id=user_id, values={"first_name": "Ada"}), key)
    assert replay.id == first.id
    clock.advance(11 * HOUR)  # the key has named it for a day: now it may go
    assert hub.tasks.purge(older_than="12h").purged == 1
    assert stored(hub) == set()


def test_a_deletion_outlives_a_short_purge_so_a_task_finishing_after_it_is_redacted(
    hub: Hub, clock: ManualClock
) -> None:
    user_id = hub.users.create(**user_fields()).related_id
    assert user_id is not None
    held = HeldBus()
    hub.container.task_bus.override(providers.Object(held))
    update = hub.users.update(user_id, first_name="Secret", email="secret@example.com")
    hub.tasks.run(hub.users.delete(user_id).id)
    clock.advance(2 * HOUR)
    assert hub.tasks.run(update.id).status is TaskStatus.FAILED  # user_not_found
    clock.advance(11 * HOUR)
    hub.tasks.purge(older_than="12h")  # the create and the deletion finished before that
    clock.advance(2 * DAY)
    hub.tasks.purge()
    late = hub.tasks.get(update.id)
    assert late.redacted_at is not None
    assert late.input_data == {"first_name": REDACTED, "email": REDACTED}


def test_a_submission_whose_released_key_lost_its_task_to_a_purge_goes_on(
    hub: Hub, clock: ManualClock
) -> None:
    """It freed the expired key of a task that a purge then deleted: its commit meets that
    deletion, and nothing holds the key, so it tries again rather than answering 409."""
    service, key = hub.service(), Idempotency("key-1", "the request")
    first = service.submit(CreateUser(values=user_fields()), key)
    clock.advance(31 * DAY)
    purge = AfterTaskCall(hub.container.memory_store(), "get_by_idempotency_key", hub.tasks.purge)
    hub.container.unit_of_work.override(providers.Callable(purge))
    try:
        again = service.submit(CreateUser(values=user_fields()), key)
    finally:
        hub.container.unit_of_work.reset_override()
    assert again.id != first.id
    assert stored(hub) == {again.id}
