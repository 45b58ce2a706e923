"""An idempotency key names its first request for a while, and for as long as its task runs;
then a submission with it makes a new task, and the old one keeps its record."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from taskhub.adapters.local.events import LocalEventPublisher
from taskhub.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from taskhub.application.ports import UnitOfWorkFactory
from taskhub.application.retention import RetentionPolicy
from taskhub.application.service import Idempotency, TaskService
from taskhub.application.users.commands import CreateUser
from taskhub.domain.errors import IdempotencyKeyInFlight
from taskhub.domain.task import Task, TaskStatus
from taskhub.domain.time import format_duration, parse_duration
from taskhub.testing import HeldBus, ManualClock, a_service, user_fields
from tests.interleavings import AfterTaskCall

TTL = timedelta(hours=24)
KEY = Idempotency("key-1", "digest-of-request")


@pytest.fixture
def store() -> InMemoryStore:
    """An empty in-memory store."""
    return InMemoryStore()


def service(
    store: InMemoryStore, clock: ManualClock, units: UnitOfWorkFactory | None = None
) -> TaskService:
    policy = RetentionPolicy(key_ttl=TTL)
    units = units or (lambda: InMemoryUnitOfWork(store))
    return a_service(units, HeldBus(), clock, LocalEventPublisher(), policy)


def finished(hub: TaskService, task: Task) -> Task:
    return hub.run(task.id)


def test_a_key_names_its_request_until_it_expires_then_a_new_one(
    store: InMemoryStore, clock: ManualClock
) -> None:
    hub = service(store, clock)
    first = finished(hub, hub.submit(CreateUser(values=user_fields()), KEY))
    clock.advance(TTL - timedelta(seconds=1))
    assert hub.submit(CreateUser(values=user_fields()), KEY).id == first.id
    clock.advance(timedelta(seconds=1))
    second = hub.submit(CreateUser(values=user_fields()), Idempotency(KEY.key, "another"))
    assert second.id != first.id
    assert hub.submit(CreateUser(values=user_fields()), Idempotency(KEY.key, "another")) == second
    kept = hub.get(first.id)
    assert (kept.status, kept.idempotency_key, kept.result) == (TaskStatus.DONE, None, first.result)


def test_the_key_of_a_task_still_on_its_way_never_expires(
    store: InMemoryStore, clock: ManualClock
) -> None:
    hub = service(store, clock)
    first = hub.submit(CreateUser(values=user_fields()), KEY)
    clock.advance(10 * TTL)
    assert hub.submit(CreateUser(values=user_fields()), KEY).id == first.id
    finished(hub, first)
    assert hub.submit(CreateUser(values=user_fields()), KEY).id != first.id


def test_of_two_submissions_racing_for_an_expired_key_one_wins_the_other_hears_409(
    store: InMemoryStore, clock: ManualClock
) -> None:
    finished(
        service(store, clock), service(store, clock).submit(CreateUser(values=user_fields()), KEY)
    )
    clock.advance(TTL)
    meeting = threading.Barrier(2)  # both look the key up before either commits
    meet = AfterTaskCall(store, "get_by_idempotency_key", lambda: meeting.wait(10), times=2)
    racing = service(store, clock, meet)
    outcomes: list[object] = []

    def submit() -> None:
        try:
            outcomes.append(racing.submit(CreateUser(values=user_fields()), KEY))
        except IdempotencyKeyInFlight as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == [
        "IdempotencyKeyInFlight",
        "Task",
    ]
    assert len(store.tasks) == 2


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("90m", timedelta(minutes=90)),
        ("45s", timedelta(seconds=45)),
        (" 1D12h ", timedelta(days=1, hours=12)),
        ("0s", timedelta(0)),
    ],
)
def test_a_duration_is_read_as_people_write_it(text: str, span: timedelta) -> None:
    assert parse_duration(text) == span
    assert parse_duration(format_duration(span)) == span


@pytest.mark.parametrize("text", ["", "30", "1w", "-1d", "1.5h", "d", "1d 2h"])
def test_what_is_not_a_duration_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="must be a duration like 30d"):
        parse_duration(text)
