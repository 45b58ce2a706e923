"""The runner's guarantees: one winner per claim, atomic effect + DONE, no-op re-runs."""

from __future__ import annotations

import threading
from datetime import timedelta
from uuid import UUID

import pytest
from dependency_injector import providers

from taskhub.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from taskhub.application.ports import ConcurrentUpdate, DispatchFailed
from taskhub.application.progress import CHECKED
from taskhub.application.runner import UNEXPECTED_MESSAGE, Runner
from taskhub.application.users.commands import CreateUser
from taskhub.domain.task import TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.testing import ManualClock, a_service, user_fields


class CrashingCommit(InMemoryUnitOfWork):
    """A unit of work whose commit dies whenever it would finish a task as DONE.

    A runner that committed the user's change before (and apart from) the DONE transition would
    leave that change behind; committing both together leaves neither.
    """

    def commit(self) -> None:
        changed = [task for task, _ in self.tasks.tracked.changed()]
        if any(task.status is TaskStatus.DONE for task in changed):
            raise RuntimeError("power cut between the effect and DONE")
        super().commit()


class RefusingBus:
    def dispatch(self, task_id: UUID) -> None:
        raise DispatchFailed("broker down")


class NoBus:
    def dispatch(self, task_id: UUID) -> None:
        """Leaves the task PENDING, as if no worker had picked it up yet."""


def pending(hub: Hub, **overrides: object) -> UUID:
    hub.container.task_bus.override(providers.Object(NoBus()))
    task = hub.users.create(**user_fields(**overrides))
    hub.container.task_bus.reset_override()
    assert task.status is TaskStatus.PENDING
    return task.id


def test_running_a_finished_task_again_changes_nothing(hub: Hub) -> None:
    finished = hub.users.create(**user_fields())
    again = hub.tasks.run(finished.id)
    assert again.status is TaskStatus.DONE
    assert (again.version, again.updated_at, again.attempt) == (
        finished.version,
        finished.updated_at,
        finished.attempt,
    )
    assert hub.users.list(count=True).result["count"] == 1  # type: ignore[index]


def test_running_a_failed_task_again_does_not_retry_it(hub: Hub) -> None:
    hub.users.create(**user_fields(username="taken"))
    failed = hub.users.create(**user_fields(username="taken"))
    again = hub.tasks.run(failed.id)
    assert (again.status, again.version) == (TaskStatus.FAILED, failed.version)


def test_a_crash_between_the_effect_and_done_leaves_neither(hub: Hub) -> None:
    store = hub.container.memory_store()
    hub.container.unit_of_work.override(providers.Factory(CrashingCommit, store=store))
    task = hub.users.create(**user_fields())
    assert task.status is TaskStatus.FAILED
    assert task.result == {
        "success": False,
        "error": UNEXPECTED_MESSAGE,
        "code": "internal_error",
        "progress": CHECKED,  # reported, and committed, before the effect
    }
    assert store.users == {}


def test_stored_input_that_breaks_a_rule_fails_the_task_naming_the_field(hub: Hub) -> None:
    task_id = pending(hub)
    hub.container.memory_store().tasks[task_id].input_data["bogus"] = 1
    task = hub.tasks.run(task_id)
    assert task.status is TaskStatus.FAILED
    assert task.result["code"] == "invalid_user_data"  # type: ignore[index]
    assert "bogus" in task.result["error"]  # type: ignore[index]


def test_an_unexpected_error_fails_the_task_without_leaking_details(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    task_id = pending(hub)
    hub.container.memory_store().tasks[task_id].input_data = None  # type: ignore[assignment]
    task = hub.tasks.run(task_id)
    assert task.status is TaskStatus.FAILED
    assert task.result == {
        "success": False,
        "error": UNEXPECTED_MESSAGE,
        "code": "internal_error",
        "progress": 10,
    }
    assert "failed unexpectedly" in caplog.text
    assert "TypeError" in caplog.text


def test_of_many_concurrent_runners_exactly_one_performs_the_task(hub: Hub) -> None:
    task_id = pending(hub)
    runner = hub.container.runner()
    barrier = threading.Barrier(8)

    def race() -> None:
        barrier.wait()
        runner.run(task_id)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    task = hub.tasks.get(task_id)
    assert (task.status, task.attempt) == (TaskStatus.DONE, 1)
    assert len(hub.container.memory_store().users) == 1
    created = [e for e in hub.container.event_publisher().recent if e.name == "user.created"]
    assert len(created) == 1


def test_a_task_held_under_a_live_lease_is_left_alone(hub: Hub, clock: ManualClock) -> None:
    task_id = pending(hub)
    store = hub.container.memory_store()
    store.tasks[task_id].start(clock.now(), timedelta(minutes=5))  # a runner that went quiet
    clock.advance(timedelta(minutes=4))
    assert hub.tasks.run(task_id).status is TaskStatus.PROCESSING
    assert store.users == {}


def test_an_expired_lease_is_claimed_again_and_finished(hub: Hub, clock: ManualClock) -> None:
    task_id = pending(hub)
    store = hub.container.memory_store()
    store.tasks[task_id].start(clock.now(), timedelta(minutes=5))
    clock.advance(timedelta(minutes=5))
    task = hub.tasks.run(task_id)
    assert (task.status, task.attempt) == (TaskStatus.DONE, 2)
    assert len(store.users) == 1


def test_a_runner_that_lost_its_claim_saves_nothing(clock: ManualClock) -> None:
    """Runner A claims, stalls past its lease; runner B finishes; A's late effect is refused."""
    store = InMemoryStore()
    publisher_events: list[object] = []

    class Publisher:
        def publish(self, events: object) -> None:
            publisher_events.extend(events)  # type: ignore[call-overload]

    runner = Runner(lambda: InMemoryUnitOfWork(store), clock, Publisher(), timedelta(seconds=1))
    command = CreateUser(values=user_fields())
    a_service(lambda: InMemoryUnitOfWork(store), NoBus(), clock, Publisher()).submit(command)
    first = runner._claim(command.task_id)
    clock.advance(timedelta(seconds=2))
    runner.run(command.task_id)  # a second runner takes over the expired lease and finishes
    assert first is not None
    with pytest.raises(ConcurrentUpdate):
        runner._perform(first)
    assert len(store.users) == 1
    assert store.tasks[command.task_id].attempt == 2


def test_events_are_published_after_commit_in_order(hub: Hub) -> None:
    task = hub.users.create(**user_fields())
    names = [e.name for e in hub.container.event_publisher().recent]
    assert names == [
        "task.submitted",
        "task.started",
        "task.progressed",  # claimed
        "task.progressed",  # checked: only the write is left
        "user.created",
        "task.done",
    ]
    assert task.status is TaskStatus.DONE


def test_a_failed_operation_publishes_no_effect_event(hub: Hub) -> None:
    hub.users.get(UUID(int=0))
    names = [e.name for e in hub.container.event_publisher().recent]
    assert names == ["task.submitted", "task.started", "task.progressed", "task.failed"]


def test_a_failed_dispatch_still_records_the_task(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    hub.container.task_bus.override(providers.Object(RefusingBus()))
    task = hub.users.create(**user_fields())
    assert task.status is TaskStatus.PENDING
    assert hub.tasks.get(task.id).status is TaskStatus.PENDING
    assert "relay will retry" in caplog.text
