"""Cancelling through the service: at once, at a safe point, too late, and by whoever finds an
orphan; on the in-memory store, with handlers that cancel their own task as a client would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from dependency_injector import providers

from taskhub.adapters.memory import InMemoryStore, InMemoryTaskRepository, InMemoryUnitOfWork
from taskhub.application.cancellation import SafePoint
from taskhub.application.catalogue import CATALOGUE, Entry, catalogue_of
from taskhub.application.ports import UnitOfWork
from taskhub.application.progress import Progress
from taskhub.application.users import handlers
from taskhub.application.users.commands import CreateUser, ListUsers
from taskhub.bootstrap import build_container, start
from taskhub.domain.errors import TaskAlreadyFinished, TaskNotFound
from taskhub.domain.task import STOPPED, Task, TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.settings import Settings
from taskhub.testing import ManualClock, user_fields
from tests.unit.test_running import pending

LEASE = timedelta(seconds=30)


def hub_with(*entries: Entry[Any], clock: ManualClock) -> Hub:
    """A memory hub on ``clock`` whose catalogue has ``entries`` in place of the usual ones."""
    container = build_container(Settings(database_url="memory://", bus="inline"))
    container.clock.override(providers.Object(clock))
    container.catalogue.override(providers.Object(catalogue_of(*CATALOGUE.values(), *entries)))
    return Hub(start(container))


@pytest.fixture
def cancelling_hub(clock: ManualClock) -> Iterator[Hub]:
    """A hub whose creates and lists cancel their own task once they have started, as a
    client's cancel arriving mid-run would; then they go on as the real handlers do."""
    hub: Hub

    def create(
        command: CreateUser, uow: UnitOfWork, now: datetime, at: SafePoint, progress: Progress
    ) -> Any:
        hub.tasks.cancel(command.task_id)
        return handlers.create_user(command, uow, now, at, progress)

    def list_(
        command: ListUsers, uow: UnitOfWork, now: datetime, at: SafePoint, progress: Progress
    ) -> Any:
        hub.tasks.cancel(command.task_id)
        return handlers.list_users(command, uow, now, at, progress)

    hub = hub_with(Entry(CreateUser, create), Entry(ListUsers, list_), clock=clock)
    with hub:
        yield hub


def event_names(hub: Hub) -> list[str]:
    return [event.name for event in hub.container.event_publisher().recent]


def claimed(hub: Hub, clock: ManualClock) -> UUID:
    """A create claimed by a runner that is still holding it, under a lease of ``LEASE``."""
    task_id = pending(hub)
    with hub.container.unit_of_work() as uow:
        task = uow.tasks.get(task_id)
        assert task is not None
        task.start(clock.now(), LEASE)
        uow.commit()
    return task_id


def test_a_pending_task_is_cancelled_and_a_message_for_it_then_does_nothing(hub: Hub) -> None:
    task_id = pending(hub)
    cancelled = hub.tasks.cancel(task_id)
    assert (cancelled.status, cancelled.result["code"]) == ("CANCELLED", "cancelled")  # type: ignore[index]
    ran = hub.tasks.run(task_id)  # the message queued before the cancel arrives
    assert (ran.status, ran.attempt, ran.version) == ("CANCELLED", 0, cancelled.version)
    assert hub.container.memory_store().users == {}
    assert event_names(hub)[-1] == "task.cancelled"


def test_cancelling_twice_is_harmless(hub: Hub, clock: ManualClock) -> None:
    for task_id in (pending(hub), claimed(hub, clock)):
        first = hub.tasks.cancel(task_id)
        published = len(event_names(hub))
        again = hub.tasks.cancel(task_id)
        assert again.to_dict() == first.to_dict()
        assert len(event_names(hub)) == published


def test_a_finished_task_cannot_be_cancelled(hub: Hub) -> None:
    done = hub.users.create(**user_fields())
    with pytest.raises(TaskAlreadyFinished):
        hub.tasks.cancel(done.id)
    assert hub.tasks.get(done.id).to_dict() == done.to_dict()
    with pytest.raises(TaskNotFound):
        hub.tasks.cancel(UUID(int=1))


def test_a_running_task_is_marked_keeping_its_version(hub: Hub, clock: ManualClock) -> None:
    task_id = claimed(hub, clock)
    before = hub.tasks.get(task_id)
    marked = hub.tasks.cancel(task_id)
    stored = hub.tasks.get(task_id)
    assert (marked.status, marked.cancel_requested_at) == (TaskStatus.PROCESSING, clock.now())
    assert stored.cancel_requested_at == clock.now()
    assert (stored.version, stored.updated_at) == (before.version, before.updated_at)
    assert event_names(hub)[-1] == "task.cancel_requested"


def test_a_list_stops_at_its_next_safe_point(cancelling_hub: Hub) -> None:
    for _ in range(handlers.LIST_BATCH + 1):
        cancelling_hub.users.create(**user_fields())  # these cancel too late: all DONE
    task = cancelling_hub.users.list(page_size=handlers.LIST_BATCH * 2)
    assert (task.status, task.attempt, task.progress) == (TaskStatus.CANCELLED, 1, 10)
    assert task.result == {"success": False, "error": STOPPED, "code": "cancelled", "progress": 10}
    assert event_names(cancelling_hub)[-2:] == ["task.cancel_requested", "task.cancelled"]


def test_a_list_with_no_safe_point_left_finishes_and_keeps_the_mark(cancelling_hub: Hub) -> None:
    """One batch: it has no point where it could stop, so the cancel comes too late."""
    task = cancelling_hub.users.list(page_size=handlers.LIST_BATCH)
    assert (task.status, task.result["users"]) == (TaskStatus.DONE, [])  # type: ignore[index]
    assert task.cancel_requested_at is not None


def test_a_create_finishes_and_its_record_says_the_cancel_came_too_late(
    cancelling_hub: Hub,
) -> None:
    task = cancelling_hub.users.create(**user_fields())
    assert (task.status, task.cancel_requested_at) == (TaskStatus.DONE, task.updated_at)
    assert len(cancelling_hub.container.memory_store().users) == 1
    names = event_names(cancelling_hub)
    assert names.index("task.cancel_requested") < names.index("task.done")


def test_a_cancel_asked_between_the_claim_and_the_start_stops_any_operation(
    hub: Hub,
) -> None:
    task_id = pending(hub)
    runner = hub.container.runner()
    claim = runner._claim(task_id)
    assert claim is not None
    hub.tasks.cancel(task_id)
    assert runner._settle(claim) is None
    stopped = hub.tasks.get(task_id)
    assert (stopped.status, stopped.attempt) == (TaskStatus.CANCELLED, 1)
    assert hub.container.memory_store().users == {}


def test_a_marked_task_whose_runner_died_is_cancelled_not_run_again(
    hub: Hub, clock: ManualClock
) -> None:
    task_id = claimed(hub, clock)
    hub.tasks.cancel(task_id)
    clock.advance(LEASE)
    task = hub.tasks.run(task_id)  # the relay's message, after the lease ran out
    assert (task.status, task.attempt) == (TaskStatus.CANCELLED, 1)
    assert hub.container.memory_store().users == {}


def test_cancelling_a_task_whose_runner_is_gone_ends_it_at_once(
    hub: Hub, clock: ManualClock
) -> None:
    task_id = claimed(hub, clock)
    clock.advance(LEASE)
    assert hub.tasks.cancel(task_id).status is TaskStatus.CANCELLED
    assert hub.tasks.run(task_id).status is TaskStatus.CANCELLED


class ClaimedAfterReading(InMemoryTaskRepository):
    """The real repository, except that after its first read a runner claims the task read,
    as a runner racing a cancel would (once: the runner's own reads claim nothing)."""

    def __init__(self, store: InMemoryStore, claim: Callable[[UUID], object]) -> None:
        super().__init__(store)
        self._claim = claim

    def get(self, task_id: UUID) -> Task | None:
        found = super().get(task_id)
        claim, self._claim = self._claim, lambda _: None
        claim(task_id)
        return found


def test_a_cancel_that_meets_a_claim_marks_the_task_instead(hub: Hub) -> None:
    task_id = pending(hub)
    runner, store = hub.container.runner(), hub.container.memory_store()
    claims: list[object] = []

    def claim(claimed_id: UUID) -> None:
        if not claims:
            claims.append(None)
            claims.append(runner._claim(claimed_id))

    def racing() -> InMemoryUnitOfWork:
        uow = InMemoryUnitOfWork(store)
        uow.tasks = ClaimedAfterReading(store, claim)
        return uow

    hub.container.unit_of_work.override(providers.Callable(racing))
    marked = hub.tasks.cancel(task_id)
    hub.container.unit_of_work.reset_override()
    assert claims[-1] is not None, "the runner's claim won the race"
    stored = hub.tasks.get(task_id)
    assert (marked.status, stored.status, stored.attempt) == ("PROCESSING", "PROCESSING", 1)
    assert stored.cancel_requested_at == marked.cancel_requested_at is not None
