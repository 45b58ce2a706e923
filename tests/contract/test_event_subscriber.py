"""The event-subscriber contract: news of a task wakes each of its followers and no one else's;
several events make one wake-up; a closed subscription is released and counted so; following
never raises nor waits on a broker that does not answer.

Assertions that something did *not* wake a follower look once another follower was woken by an
event published after it: one consumer delivers in order, so the first would have been woken by
then. No assertion depends on how long anything takes.
"""

from __future__ import annotations

import time
from uuid import UUID, uuid4

from taskhub.adapters.celery.followers import KombuEventSubscriber
from taskhub.application.ports import EventSubscriber
from taskhub.domain.events import Event, TaskProgressed, TaskStarted, TaskSucceeded, UserCreated
from tests.contract.subscribers import SubscriberUnderTest

ARRIVAL = 30.0  # seconds for news to arrive; a wait ends as soon as it does
QUICKLY = 10.0  # seconds: what "never waits long" must beat, generous for a noisy machine


def news_of(task_id: UUID) -> list[Event]:
    return [
        TaskStarted(task_id=task_id, attempt=1),
        TaskProgressed(task_id=task_id, progress=40),
        TaskSucceeded(task_id=task_id),
    ]


def test_news_of_a_task_wakes_each_of_its_followers(subscriber: SubscriberUnderTest) -> None:
    subscriber.ready()
    task_id = uuid4()
    first, second = subscriber.adapter.follow(task_id), subscriber.adapter.follow(task_id)
    subscriber.publisher.publish([TaskProgressed(task_id=task_id, progress=40)])
    assert first.wait(ARRIVAL)
    assert second.wait(ARRIVAL)
    first.close()
    second.close()


def test_news_of_another_task_or_a_user_wakes_no_one_else(
    subscriber: SubscriberUnderTest,
) -> None:
    subscriber.ready()
    watched, other = subscriber.adapter.follow(uuid4()), subscriber.adapter.follow(uuid4())
    events = [UserCreated(user_id=uuid4(), username="ada"), *news_of(other_id(other))]
    subscriber.publisher.publish(events)
    assert other.wait(ARRIVAL)
    assert not watched.wait(0)
    watched.close()
    other.close()


def test_several_events_make_one_wake_up(subscriber: SubscriberUnderTest) -> None:
    subscriber.ready()
    task_id, marker_id = uuid4(), uuid4()
    watched, marker = subscriber.adapter.follow(task_id), subscriber.adapter.follow(marker_id)
    subscriber.publisher.publish([*news_of(task_id), TaskSucceeded(task_id=marker_id)])
    assert marker.wait(ARRIVAL)  # so every event about ``task_id`` has been heard too
    assert watched.wait(0)
    assert not watched.wait(0)
    watched.close()
    marker.close()


def test_a_closed_subscription_is_released_and_counted_so(
    subscriber: SubscriberUnderTest,
) -> None:
    task_id, before = uuid4(), subscriber.adapter.following
    first, second = subscriber.adapter.follow(task_id), subscriber.adapter.follow(task_id)
    assert subscriber.adapter.following == before + 2
    first.close()
    first.close()
    assert subscriber.adapter.following == before + 1
    second.close()
    assert subscriber.adapter.following == before
    subscriber.publisher.publish(news_of(task_id))  # news of a task no one follows: nothing


def test_following_never_raises_nor_waits_when_the_broker_does_not_answer(
    unreachable_subscriber: EventSubscriber,
) -> None:
    started = time.monotonic()
    subscription = unreachable_subscriber.follow(uuid4())
    assert not subscription.wait(0.1)
    assert unreachable_subscriber.following == 1
    subscription.close()
    assert unreachable_subscriber.following == 0
    assert time.monotonic() - started < QUICKLY
    assert isinstance(unreachable_subscriber, KombuEventSubscriber)
    assert not unreachable_subscriber.listening


def other_id(subscription: object) -> UUID:
    """The task a subscription follows (the adapters' subscriptions all say)."""
    task_id: UUID = subscription.task_id  # type: ignore[attr-defined]
    return task_id
