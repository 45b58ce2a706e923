"""Submitting: a task is recorded before it is dispatched, and an idempotency key is honoured."""

from __future__ import annotations

from uuid import UUID

import pytest

from taskhub.adapters.local.events import LocalEventPublisher
from taskhub.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from taskhub.application.service import Idempotency
from taskhub.application.users.commands import CreateUser
from taskhub.domain.errors import IdempotencyKeyReused
from taskhub.domain.task import Task, TaskStatus
from taskhub.testing import ManualClock, a_service, user_fields


class RecordingBus:
    """Remembers what was dispatched, and whether the task was already stored at that moment."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.dispatched: list[tuple[UUID, bool]] = []

    def dispatch(self, task_id: UUID) -> None:
        self.dispatched.append((task_id, task_id in self.store.tasks))


@pytest.fixture
def store() -> InMemoryStore:
    """An empty in-memory store."""
    return InMemoryStore()


@pytest.fixture
def bus(store: InMemoryStore) -> RecordingBus:
    """A bus that only records its dispatches."""
    return RecordingBus(store)


def submitted(
    store: InMemoryStore, bus: RecordingBus, command: CreateUser, key: Idempotency | None = None
) -> Task:
    uow = lambda: InMemoryUnitOfWork(store)  # noqa: E731
    return a_service(uow, bus, ManualClock(), LocalEventPublisher()).submit(command, key)


def test_a_task_is_stored_pending_before_it_is_dispatched(
    store: InMemoryStore, bus: RecordingBus
) -> None:
    task = submitted(store, bus, CreateUser(values=user_fields()))
    assert bus.dispatched == [(task.id, True)]
    assert store.tasks[task.id].status is TaskStatus.PENDING


def test_the_same_key_and_request_return_the_first_task_and_dispatch_nothing(
    store: InMemoryStore, bus: RecordingBus
) -> None:
    fields = user_fields()
    key = Idempotency("key-1", "digest-of-request")
    first = submitted(store, bus, CreateUser(values=fields), key)
    again = submitted(store, bus, CreateUser(values=fields), key)
    assert again.id == first.id
    assert len(store.tasks) == 1
    assert len(bus.dispatched) == 1


def test_the_same_key_with_another_request_is_refused(
    store: InMemoryStore, bus: RecordingBus
) -> None:
    submitted(store, bus, CreateUser(values=user_fields()), Idempotency("key-1", "one"))
    with pytest.raises(IdempotencyKeyReused) as refused:
        submitted(store, bus, CreateUser(values=user_fields()), Idempotency("key-1", "two"))
    assert refused.value.code == "idempotency_key_reused"
    assert len(store.tasks) == 1
