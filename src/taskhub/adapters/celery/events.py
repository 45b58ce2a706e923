"""Domain events on a kombu topic exchange, so other services can subscribe by routing key."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from kombu.connection import Connection
from kombu.entity import Exchange
from kombu.pools import producers

from taskhub.domain.events import Event

log = logging.getLogger(__name__)
EXCHANGE = "taskhub.events"
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def event_body(event: Event, now: datetime) -> dict[str, Any]:
    """The event as JSON: its name, its fields, and when it was published."""
    fields = {
        name: str(value) if isinstance(value, UUID) else value
        for name, value in dataclasses.asdict(event).items()
    }
    return {"event": event.name, **fields, "published_at": now.isoformat()}


class KombuEventPublisher:
    """Publishes each event with its name (``task.done``, ``user.created``) as routing key.

    The facts are committed before they are published; a broker outage loses the notification,
    never the fact, so a failure is logged and never raised.
    """

    def __init__(self, url: str, timeout: float = 1.0) -> None:
        options = {"socket_connect_timeout": timeout, "socket_timeout": timeout, "max_retries": 1}
        self._connection = Connection(url, connect_timeout=timeout, transport_options=options)
        self._exchange = Exchange(EXCHANGE, type="topic", durable=True)
        self._timeout = timeout

    def publish(self, events: Iterable[Event]) -> None:
        for event in events:
            try:
                self._publish(event)
            except Exception:
                log.warning("Event %s could not be published", event.name, exc_info=True)

    def _publish(self, event: Event) -> None:
        pool = producers[self._connection]
        with pool.acquire(block=True, timeout=self._timeout) as producer:
            producer.publish(
                event_body(event, datetime.now(UTC)),
                exchange=self._exchange,
                routing_key=event.name,
                declare=[self._exchange],
                serializer="json",
                retry=True,
                retry_policy=RETRY_POLICY,
            )

    def close(self) -> None:
        self._connection.release()
