"""Following a task through the service: each change once, in order, until it is finished; a
client's last version resumes; the subscription is released however following ends."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from uuid import uuid4

import pytest
from dependency_injector import providers

from taskhub.domain.errors import TaskNotFound
from taskhub.domain.task import Task, TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.testing import ManualClock, user_fields
from tests.http.apps import UnreachableStore
from tests.unit.test_running import pending

NEVER = 60.0  # seconds: an interval no test should come near, so a wake-up is an event's


def following(hub: Hub) -> int:
    return int(hub.container.event_subscriber().following)


def states(hub: Hub, task_id: object, **options: object) -> Iterator[Task | None]:
    return hub.service().follow(task_id, **options)  # type: ignore[arg-type]


def test_each_change_is_seen_once_until_the_task_is_finished(hub: Hub) -> None:
    task_id = pending(hub)
    followed = states(hub, task_id, every=NEVER)
    first = next(followed)
    assert first is not None
    assert (first.status, following(hub)) == (TaskStatus.PENDING, 1)
    started = time.monotonic()
    hub.tasks.run(task_id)  # its events wake the follower
    done = next(followed)
    assert time.monotonic() - started < NEVER / 2, "woken by the interval, not by the events"
    assert done is not None
    assert (done.status, done.progress) == (TaskStatus.DONE, 100)
    assert done.version > first.version
    assert list(followed) == []
    assert following(hub) == 0


def test_a_finished_task_is_seen_once_and_the_follower_stops(hub: Hub) -> None:
    task = hub.users.create(**user_fields())
    assert [state.status for state in states(hub, task.id) if state] == [TaskStatus.DONE]


def test_a_follower_that_has_the_final_state_gets_nothing_more(hub: Hub) -> None:
    task = hub.users.create(**user_fields())
    assert list(states(hub, task.id, seen=task.version)) == []


def test_resuming_at_a_version_skips_it_and_says_it_is_still_following(hub: Hub) -> None:
    task_id = pending(hub)
    followed = states(hub, task_id, seen=hub.tasks.get(task_id).version, every=0.01)
    assert next(followed) is None  # nothing new: a heartbeat, not the same state again
    hub.tasks.run(task_id)
    assert [state.status for state in followed if state] == [TaskStatus.DONE]


def test_following_ends_after_its_longest(hub: Hub) -> None:
    task_id = pending(hub)
    seen = list(states(hub, task_id, every=0.01, longest=0.1))
    assert seen[0] is not None
    assert seen[0].status is TaskStatus.PENDING
    assert set(seen[1:]) <= {None}
    assert following(hub) == 0


def test_a_follower_that_stops_early_releases_its_subscription(hub: Hub) -> None:
    followed = states(hub, pending(hub))
    next(followed)
    assert following(hub) == 1
    followed.close()  # what a server does when its client has gone
    assert following(hub) == 0


def test_a_store_outage_while_following_is_waited_out(hub: Hub) -> None:
    task_id = pending(hub)
    followed = states(hub, task_id, every=0.01)
    assert next(followed) is not None
    hub.container.unit_of_work.override(providers.Factory(UnreachableStore))
    assert next(followed) is None  # a heartbeat: the follower keeps following
    hub.container.unit_of_work.reset_override()
    hub.tasks.run(task_id)
    assert [state.status for state in followed if state] == [TaskStatus.DONE]


def test_a_cancel_request_on_a_running_task_is_seen_though_it_keeps_the_version(
    hub: Hub, clock: ManualClock
) -> None:
    task_id = pending(hub)
    with hub.container.unit_of_work() as uow:  # a runner claims it and is still working
        task = uow.tasks.get(task_id)
        assert task is not None
        task.start(clock.now(), timedelta(seconds=30))
        uow.commit()
    followed = states(hub, task_id, every=NEVER)
    running = next(followed)
    assert running is not None
    assert running.cancel_requested_at is None
    hub.tasks.cancel(task_id)
    marked = next(followed)
    assert marked is not None
    assert (marked.status, marked.version) == (TaskStatus.PROCESSING, running.version)
    assert marked.cancel_requested_at == clock.now()
    followed.close()


def test_an_unknown_task_cannot_be_followed(hub: Hub) -> None:
    with pytest.raises(TaskNotFound):
        next(states(hub, uuid4()))
    assert following(hub) == 0


def test_the_library_follows_until_done_without_heartbeats(hub: Hub) -> None:
    task = hub.users.create(**user_fields())
    assert [state.status for state in hub.tasks.follow(task.id)] == [TaskStatus.DONE]
    still = list(hub.tasks.follow(pending(hub), timeout=0.1))
    assert [state.status for state in still] == [TaskStatus.PENDING]
