"""The event-publisher contract: what is published reaches a subscriber in order, with its name
and fields; ``publish`` never raises and never waits long, even when nothing can be delivered;
``close`` delivers what was still queued.

That events are published only after their facts commit is the callers' side of the contract
(``submit``, ``Runner``); tests/unit/test_running.py holds them to it.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from uuid import UUID, uuid4

import pytest

from taskhub.domain.events import (
    Event,
    TaskFailed,
    TaskProgressed,
    TaskStarted,
    TaskSubmitted,
    TaskSucceeded,
    UserCreated,
    UserDeleted,
    UserUpdated,
)
from tests.contract.publishers import Delivered, PublisherUnderTest, as_delivered
from tests.processes import eventually

ARRIVAL = 30.0  # seconds for events to reach the subscriber; the wait ends as soon as they do
QUICKLY = 10.0  # seconds: what "never waits long" must beat, generous for a noisy machine


def one_of_each(task_id: UUID, user_id: UUID) -> list[Event]:
    """Every kind of event, about one task and its user, in the order a story might tell them."""
    return [
        TaskSubmitted(task_id=task_id, task_name="create_user"),
        TaskStarted(task_id=task_id, attempt=2),
        TaskProgressed(task_id=task_id, progress=10),
        UserCreated(user_id=user_id, username="ada"),
        UserUpdated(user_id=user_id, fields=("first_name", "email")),
        UserDeleted(user_id=user_id),
        TaskSucceeded(task_id=task_id),
        TaskFailed(task_id=task_id, code="user_not_found"),
    ]


def arrived(publisher: PublisherUnderTest, events: list[Event]) -> list[Delivered]:
    """What reached the subscriber about these events (a shared broker carries others' too),
    once there is at least as much of it as was published."""
    ids = {str(v) for e in events for v in dataclasses.asdict(e).values() if isinstance(v, UUID)}

    def all_of_them() -> list[Delivered] | None:
        got = [d for d in publisher.received() if ids & {str(v) for v in d[1].values()}]
        return got if len(got) >= len(events) else None

    got = eventually(all_of_them, ARRIVAL, f"{len(events)} events to reach the subscriber")
    assert got is not None
    return got


def test_published_events_arrive_in_order_with_their_names_and_fields(
    publisher: PublisherUnderTest,
) -> None:
    events = one_of_each(uuid4(), uuid4())
    publisher.adapter.publish(iter(events))  # any iterable: a runner passes a unit of work's
    assert arrived(publisher, events) == [as_delivered(event) for event in events]


def test_close_delivers_every_event_published_before_it(publisher: PublisherUnderTest) -> None:
    """Closing right after a burst, while most of it may still be queued, loses none of it."""
    events: list[Event] = [UserCreated(user_id=uuid4(), username=f"u{i}") for i in range(200)]
    publisher.adapter.publish(events)
    publisher.close()
    assert arrived(publisher, events) == [as_delivered(event) for event in events]


def test_publish_never_raises_nor_waits_long_when_nothing_can_be_delivered(
    failing_publisher: PublisherUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """The facts are saved already: a failed delivery is logged, never the caller's problem."""
    started = time.monotonic()
    failing_publisher.adapter.publish(one_of_each(uuid4(), uuid4()))
    published = time.monotonic() - started
    failing_publisher.close()
    assert published < QUICKLY
    assert time.monotonic() - started < 2 * QUICKLY
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("user.created" in message for message in logged), logged
