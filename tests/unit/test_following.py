"""Following a task through the service: each change once, in order, until it is finished; a
client's last version resumes; the subscription is released however following ends."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from dependency_injector import providers

from taskhub.application.following import Seen
from taskhub.domain.errors import TaskNotFound
from taskhub.domain.task import Task, TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.testing import ManualClock, user_fields
from tests.http.apps import UnreachableStore
from tests.unit.test_running import pending

NEVER = 60.0  # seconds: an interval no test should come near, so a wake-up is an event's


def following(hub: Hub) -> int:
    return int(hub.container.event_subscriber().following)


def running(hub: Hub, task_id: UUID, clock: ManualClock) -> Task:
    """A runner claims the task and is still working on it; the task then."""
    with hub.container.unit_of_work() as uow:
        task = uow.tasks.get(task_id)
        assert task is not None
        task.start(clock.now(), timedelta(seconds=30))
        uow.commit()
    return hub.tasks.get(task_id)


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
    assert list(states(hub, task.id, seen=Seen.of(task))) == []


def test_resuming_at_a_version_skips_it_and_says_it_is_still_following(hub: Hub) -> None:
    task_id = pending(hub)
    followed = states(hub, task_id, seen=Seen.of(hub.tasks.get(task_id)), every=0.01)
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
    running(hub, task_id, clock)
    followed = states(hub, task_id, every=NEVER)
    claimed = next(followed)
    assert claimed is not None
    assert claimed.cancel_requested_at is None
    hub.tasks.cancel(task_id)
    marked = next(followed)
    assert marked is not None
    assert (marked.status, marked.version) == (TaskStatus.PROCESSING, claimed.version)
    assert marked.cancel_requested_at == clock.now()
    followed.close()


def test_an_unknown_task_is_followed_to_nothing_and_the_library_says_so(hub: Hub) -> None:
    """The service's follower ends (a stream's client already had its answer: the task was
    there, then deleted); the library, asked for a task there is not, raises at once."""
    assert list(states(hub, uuid4())) == []
    assert following(hub) == 0
    with pytest.raises(TaskNotFound):
        hub.tasks.follow(uuid4())


def test_a_store_outage_at_the_first_read_is_waited_out_too(hub: Hub) -> None:
    task_id = pending(hub)
    hub.container.unit_of_work.override(providers.Factory(UnreachableStore))
    followed = states(hub, task_id, every=0.01)
    assert next(followed) is None  # a heartbeat, not an error once a client is being answered
    hub.container.unit_of_work.reset_override()
    first = next(state for state in followed if state is not None)
    assert first.status is TaskStatus.PENDING
    followed.close()


def test_a_cancel_mark_the_follower_did_not_have_is_seen_though_the_version_is_the_same(
    hub: Hub, clock: ManualClock
) -> None:
    task_id = pending(hub)
    version = running(hub, task_id, clock).version  # what the follower had
    hub.tasks.cancel(task_id)
    followed = states(hub, task_id, seen=Seen(version), every=NEVER)
    marked = next(followed)
    assert marked is not None
    assert (marked.version, marked.cancel_requested) == (version, True)
    followed.close()
    again = states(hub, task_id, seen=Seen(version, cancel_requested=True), every=0.01)
    assert next(again) is None  # it had the mark too: nothing new
    again.close()


def test_a_stopping_process_ends_its_followers_each_after_what_it_has_shown(hub: Hub) -> None:
    task_id, stopping = pending(hub), threading.Event()
    followed = states(hub, task_id, every=NEVER, stopping=stopping)
    assert next(followed) is not None
    stopping.set()
    assert list(followed) == []  # it looks once more, and ends: its client will reconnect
    assert following(hub) == 0
    later = list(states(hub, pending(hub), every=NEVER, stopping=stopping))
    assert [state.status for state in later if state] == [TaskStatus.PENDING]


def test_the_library_follows_until_done_without_heartbeats(hub: Hub) -> None:
    task = hub.users.create(**user_fields())
    assert [state.status for state in hub.tasks.follow(task.id)] == [TaskStatus.DONE]
    still = list(hub.tasks.follow(pending(hub), timeout=0.1))
    assert [state.status for state in still] == [TaskStatus.PENDING]
