"""Every event publisher the contract suite runs, built here and nowhere else, with a subscriber.

Local delivers during ``publish``; kombu queues for a thread and delivers through a broker. A test
observes both the same way: ``received`` lists what a subscriber has been handed so far.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from kombu.connection import Connection
from kombu.entity import Exchange, Queue
from kombu.message import Message

from taskhub.adapters.celery.events import EXCHANGE, KombuEventPublisher
from taskhub.adapters.local.events import LocalEventPublisher
from taskhub.application.ports import EventPublisher
from taskhub.domain.events import Event

Delivered = tuple[str, dict[str, Any]]  # an event's name and its fields, as JSON carries them


def as_delivered(event: Event) -> Delivered:
    return event.name, json.loads(json.dumps(dataclasses.asdict(event), default=str))


@dataclass(frozen=True)
class PublisherUnderTest:
    """A publisher under test and a subscriber that sees what it delivers."""

    adapter: EventPublisher
    received: Callable[[], list[Delivered]]  # all delivered so far, in order of arrival
    close: Callable[[], None]  # stop, having delivered what was queued


def _broken_subscriber(event: Event) -> None:
    raise RuntimeError(f"this subscriber fails on {event.name}")


def local_publisher(subscriber_fails: bool = False) -> PublisherUnderTest:
    """``LocalEventPublisher``: delivers during ``publish``, so nothing is queued to close."""
    publisher = LocalEventPublisher()
    seen: list[Delivered] = []
    if subscriber_fails:
        publisher.subscribe(_broken_subscriber)
    publisher.subscribe(lambda event: seen.append(as_delivered(event)))
    return PublisherUnderTest(publisher, lambda: list(seen), lambda: None)


@contextmanager
def kombu_publisher(url: str, reachable: bool = True) -> Iterator[PublisherUnderTest]:
    """``KombuEventPublisher`` and, if its broker is there, a subscription to all it sends."""
    publisher = KombuEventPublisher(url)
    with subscription(url) if reachable else nullcontext(list) as received:
        yield PublisherUnderTest(publisher, received, publisher.close)
        publisher.close()


@contextmanager
def subscription(url: str) -> Iterator[Callable[[], list[Delivered]]]:
    """A queue of the test's own bound to every routing key of the events exchange."""
    exchange = Exchange(EXCHANGE, type="topic", durable=True)
    name = f"taskhub-contract-{uuid.uuid4().hex[:8]}"
    with Connection(url, connect_timeout=2) as connection:
        bound = Queue(name, exchange, "#", exclusive=True)(connection.default_channel)
        bound.declare()
        seen: list[Delivered] = []

        def received() -> list[Delivered]:
            while (message := bound.get(no_ack=True, accept=["json"])) is not None:
                seen.append(_delivered(message))
            return list(seen)

        try:
            yield received
        finally:
            bound.delete()


def _delivered(message: Message) -> Delivered:
    """The event a message carries, its name marked if the routing key says otherwise."""
    body = dict(message.decode())
    name, key = body.pop("event"), message.delivery_info["routing_key"]
    del body["published_at"]  # the publisher's clock, not a field of the event
    return (name if name == key else f"{name} routed as {key}"), body
