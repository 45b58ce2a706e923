"""Domain events on a kombu topic exchange, so other services can subscribe by routing key."""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from kombu.connection import Connection
from kombu.entity import Exchange
from kombu.pools import ProducerPool

from taskhub.domain.events import Event, task_of

log = logging.getLogger(__name__)
EXCHANGE = "taskhub.events"
# News of tasks for the web processes that follow them (``KombuEventSubscriber``): a fanout,
# which kombu carries by Redis pub/sub (nothing stored) or to RabbitMQ queues that die with their
# connection. A queue of a process's own on the topic exchange would outlive a killed process on
# Redis, and fill with every event from then on.
LIVE_EXCHANGE = "taskhub.events.live"
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def event_body(event: Event, now: datetime) -> dict[str, Any]:
    """The event as JSON: its name, its fields, and when it was published."""
    fields = {
        name: str(value) if isinstance(value, UUID) else value
        for name, value in dataclasses.asdict(event).items()
    }
    return {"event": event.name, **fields, "published_at": now.isoformat()}


class KombuEventPublisher:
    """Publishes each event with its name (``task.done``, ``user.created``) as routing key, and
    news of a task to the live exchange too.

    The facts are committed before they are published; a broker outage loses the notification,
    never the fact, so a failure is logged and never raised. Events wait in a bounded backlog for
    one publishing thread, so neither a request nor a worker ever waits on the event broker.
    """

    def __init__(self, url: str, timeout: float = 1.0, backlog: int = 10_000) -> None:
        options = {"socket_connect_timeout": timeout, "socket_timeout": timeout, "max_retries": 1}
        self._connection = Connection(url, connect_timeout=timeout, transport_options=options)
        self._exchange = Exchange(EXCHANGE, type="topic", durable=True)
        self._live = Exchange(LIVE_EXCHANGE, type="fanout", durable=True)
        # Pools of its own, not kombu's process-wide ones, so that ``close`` closes them.
        self._connections = self._connection.Pool(limit=1)
        self._producers = ProducerPool(self._connections, limit=1)
        self._timeout = timeout
        self._backlog: queue.Queue[Event | None] = queue.Queue(maxsize=backlog)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def ping(self) -> None:
        """Raise unless the event broker accepts a connection now (for ``taskhub check``)."""
        with self._connection.clone() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2)

    def publish(self, events: Iterable[Event]) -> None:
        """Queue the events for publishing, in order; when the backlog is full, drop and log."""
        self._start()
        for event in events:
            try:
                self._backlog.put_nowait(event)
            except queue.Full:
                log.warning("Event %s dropped: the event broker is not keeping up", event.name)

    def close(self, timeout: float = 5.0) -> None:
        """Publish what is queued, for up to ``timeout`` seconds, then release the connection."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            try:
                self._backlog.put(None, timeout=timeout)
            except queue.Full:
                log.warning("Events still queued were dropped at shutdown")
            thread.join(timeout)
        self._producers.force_close_all()
        self._connections.force_close_all()
        self._connection.release()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._drain, name="taskhub-events", daemon=True
                )
                self._thread.start()

    def _drain(self) -> None:
        while (event := self._backlog.get()) is not None:
            try:
                self._publish(event)
            except Exception:
                log.warning("Event %s could not be published", event.name, exc_info=True)

    def _publish(self, event: Event) -> None:
        body = event_body(event, datetime.now(UTC))
        exchanges = [self._exchange, self._live] if task_of(event) else [self._exchange]
        with self._producers.acquire(block=True, timeout=self._timeout) as producer:
            for exchange in exchanges:
                producer.publish(
                    body,
                    exchange=exchange,
                    routing_key=event.name,
                    declare=[exchange],
                    serializer="json",
                    retry=True,
                    retry_policy=RETRY_POLICY,
                )
