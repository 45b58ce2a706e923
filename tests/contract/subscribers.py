"""Every event subscriber the contract suite runs, with the publisher whose events it hears.

Local hears what the same object publishes; kombu hears, through a broker, what a publisher of
another process would send. ``ready`` returns once the subscriber hears what is published next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from uuid import uuid4

from taskhub.adapters.celery.events import KombuEventPublisher
from taskhub.adapters.celery.followers import KombuEventSubscriber
from taskhub.adapters.local.events import LocalEventPublisher
from taskhub.application.ports import EventPublisher, EventSubscriber
from tests.processes import eventually

LISTENING = 30.0  # seconds for a consumer to be bound to its broker; the wait ends when it is


@dataclass(frozen=True)
class SubscriberUnderTest:
    """A subscriber under test, a publisher it hears, and how to know it is hearing."""

    adapter: EventSubscriber
    publisher: EventPublisher
    ready: Callable[[], None]


def local_subscriber() -> SubscriberUnderTest:
    """``LocalEventPublisher``: the publisher and the subscriber of one process are one object."""
    publisher = LocalEventPublisher()
    return SubscriberUnderTest(publisher, publisher, lambda: None)


@contextmanager
def kombu_subscriber(url: str) -> Iterator[SubscriberUnderTest]:
    """``KombuEventSubscriber`` on the broker at ``url``, hearing a ``KombuEventPublisher``'s
    events. Ready once its consumer is bound (a first follower starts it)."""
    subscriber, publisher = KombuEventSubscriber(url), KombuEventPublisher(url)

    def ready() -> None:
        subscriber.follow(uuid4()).close()
        eventually(lambda: subscriber.listening, LISTENING, "the subscriber to listen")

    try:
        yield SubscriberUnderTest(subscriber, publisher, ready)
    finally:
        publisher.close()
        subscriber.close()
