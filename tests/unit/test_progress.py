"""Progress while an operation runs: committed at once, seen by another unit of work mid-run,
never decreasing, and reported only by the claim that holds the task."""

from __future__ import annotations

from datetime import timedelta

import pytest

from taskhub.application.ports import ConcurrentUpdate
from taskhub.application.progress import CHECKED, CLAIMED, StoreProgress, partway
from taskhub.application.users.handlers import LIST_BATCH
from taskhub.domain.events import Event, TaskProgressed
from taskhub.domain.task import Task, TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.testing import ManualClock, user_fields
from tests.unit.test_running import pending

Seen = tuple[TaskStatus, int, int]  # status, progress, users stored


def watch_progress(hub: Hub) -> list[Seen]:
    """What another unit of work reads of the task and the users at each progress report."""
    seen: list[Seen] = []

    def read(event: Event) -> None:
        if isinstance(event, TaskProgressed):
            with hub.container.unit_of_work() as uow:
                task = uow.tasks.get(event.task_id)
                assert task is not None
                seen.append((task.status, task.progress, uow.users.count()))

    hub.container.event_publisher().subscribe(read)
    return seen


def add_users(hub: Hub, count: int) -> None:
    for _ in range(count):
        hub.users.create(**user_fields())


def test_a_create_is_seen_at_40_before_its_user_exists(hub: Hub) -> None:
    seen = watch_progress(hub)
    task = hub.users.create(**user_fields())
    assert seen == [(TaskStatus.PROCESSING, CLAIMED, 0), (TaskStatus.PROCESSING, CHECKED, 0)]
    assert (task.status, task.progress) == (TaskStatus.DONE, 100)


@pytest.mark.parametrize("change", ["update", "replace", "delete"])
def test_a_change_is_seen_at_40_once_its_checks_passed(hub: Hub, change: str) -> None:
    user_id = hub.users.create(**user_fields()).related_id
    seen = watch_progress(hub)
    task = getattr(hub.users, change)(user_id, **({} if change == "delete" else user_fields()))
    assert [progress for _, progress, _ in seen] == [CLAIMED, CHECKED]
    assert task.status is TaskStatus.DONE


def test_a_read_of_one_user_has_nothing_to_tell_before_done(hub: Hub) -> None:
    user_id = hub.users.create(**user_fields()).related_id
    seen = watch_progress(hub)
    assert hub.users.get(user_id).status is TaskStatus.DONE
    assert [progress for _, progress, _ in seen] == [CLAIMED]


def test_a_list_reports_after_each_batch_but_the_last(hub: Hub) -> None:
    add_users(hub, 2 * LIST_BATCH + 50)
    everyone = hub.users.list(page_size=500).result
    seen = watch_progress(hub)
    task = hub.users.list(page_size=2 * LIST_BATCH + 50, count=True)
    expected = [partway(LIST_BATCH * n, 2 * LIST_BATCH + 50) for n in (1, 2)]
    assert [progress for _, progress, _ in seen] == [CLAIMED, *expected]
    assert expected == sorted(set(expected))
    assert CLAIMED < expected[0] < expected[-1] < 100
    assert task.result is not None
    assert everyone is not None
    assert task.result["users"] == everyone["users"]
    assert task.result["count"] == 2 * LIST_BATCH + 50


def test_a_later_page_is_read_in_batches_from_its_own_start(hub: Hub) -> None:
    add_users(hub, 3 * LIST_BATCH)
    everyone = hub.users.list(page_size=500).result
    first = hub.users.list(page_size=LIST_BATCH + 20).result
    assert first is not None
    seen = watch_progress(hub)
    task = hub.users.list(cursor=first["next"], page_size=LIST_BATCH + 20)
    assert [progress for _, progress, _ in seen] == [CLAIMED, partway(LIST_BATCH, LIST_BATCH + 20)]
    assert task.result is not None
    assert everyone is not None
    assert task.result["users"] == everyone["users"][LIST_BATCH + 20 : 2 * LIST_BATCH + 40]


def test_a_page_that_fits_in_one_batch_reports_nothing_mid_run(hub: Hub) -> None:
    add_users(hub, 3)
    seen = watch_progress(hub)
    hub.users.list(page_size=LIST_BATCH)
    assert [progress for _, progress, _ in seen] == [CLAIMED]


def test_progress_runs_from_the_claim_towards_but_never_to_100() -> None:
    assert [partway(n, 4) for n in range(5)] == [10, 32, 55, 77, 99]
    assert partway(0, 0) == CLAIMED


def claimed_task(hub: Hub, clock: ManualClock) -> Task:
    task_id = pending(hub)
    with hub.container.unit_of_work() as uow:
        task = uow.tasks.get(task_id)
        assert task is not None
        task.start(clock.now(), timedelta(seconds=30))
        uow.commit()
    return task


def reporter(hub: Hub, clock: ManualClock, claimed: Task) -> StoreProgress:
    publisher = hub.container.event_publisher()
    return StoreProgress(hub.container.unit_of_work, clock, publisher, claimed)


def test_a_report_not_above_the_last_changes_nothing(hub: Hub, clock: ManualClock) -> None:
    claimed = claimed_task(hub, clock)
    progress = reporter(hub, clock, claimed)
    progress.report(50)
    version = hub.tasks.get(claimed.id).version
    progress.report(30)
    progress.report(50)
    assert (hub.tasks.get(claimed.id).progress, hub.tasks.get(claimed.id).version) == (50, version)


def test_a_claim_taken_over_can_report_no_more(hub: Hub, clock: ManualClock) -> None:
    claimed = claimed_task(hub, clock)
    clock.advance(timedelta(seconds=31))
    taken_over = hub.tasks.run(claimed.id)  # a second runner, once the lease ran out
    assert (taken_over.status, taken_over.attempt) == (TaskStatus.DONE, 2)
    with pytest.raises(ConcurrentUpdate):
        reporter(hub, clock, claimed).report(CHECKED)
