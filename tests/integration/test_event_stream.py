"""Domain events reach another service: a subscriber's own queue on the ``taskhub.events`` exchange.

A real ``taskhub worker`` runs with ``TASKHUB_EVENTS_URL`` set, on Redis and on RabbitMQ; this
test process plays both the web side (it submits) and the subscribing service.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from kombu.connection import Connection
from kombu.entity import Exchange, Queue, binding

from taskhub.adapters.celery.events import EXCHANGE
from taskhub.domain.task import Task
from taskhub.testing import user_fields
from tests.integration.conftest import hub_for
from tests.processes import Worker, eventually
from tests.stack import stack_env

pytestmark = pytest.mark.slow
ARRIVAL = 60  # seconds: generous for a shared 2-core machine; the wait ends as soon as it can
EXPECTED = {"task.submitted", "task.started", "task.done", "user.created"}

Event = tuple[str, dict[str, Any]]  # routing key, body


@contextmanager
def subscription(url: str, *routing_keys: str) -> Iterator[Callable[[], list[Event]]]:
    """A queue of this test's own bound to the exchange; yields a function that drains it."""
    exchange = Exchange(EXCHANGE, type="topic", durable=True)
    bindings = [binding(exchange, routing_key=key) for key in routing_keys]
    name = f"taskhub-events-test-{uuid.uuid4().hex[:8]}"
    with Connection(url, connect_timeout=2) as connection:
        queue = Queue(name, bindings=bindings, exclusive=True, auto_delete=True)
        bound = queue(connection.default_channel)
        bound.declare()

        def drain() -> list[Event]:
            events = []
            while (message := bound.get(no_ack=True, accept=["json"])) is not None:
                events.append((message.delivery_info["routing_key"], message.decode()))
            return events

        try:
            yield drain
        finally:
            bound.delete()


def concerning(task: Task, events: list[Event]) -> list[Event]:
    """The events about the task or the user it creates (the exchange may carry others')."""
    ids = {"task_id": str(task.id), "user_id": str(task.related_id)}
    return [event for event in events if any(event[1].get(k) == v for k, v in ids.items())]


def test_a_worker_publishes_a_create_s_events_to_a_subscriber_s_queue(
    database_url: str, broker: tuple[str, str], start_worker: Callable[..., Worker]
) -> None:
    url, queue = broker
    env = {**stack_env(database_url, url, queue), "TASKHUB_EVENTS_URL": url}
    start_worker(env, "--concurrency=1")
    received: list[Event] = []
    with subscription(url, "user.*", "task.#") as drain, hub_for(env) as hub:
        fields = user_fields()
        task = hub.users.create(**fields)

        def arrived() -> bool:
            received.extend(concerning(task, drain()))
            return {key for key, _ in received} >= EXPECTED

        eventually(arrived, ARRIVAL, f"the events of task {task.id}")
    first = {key: body for key, body in reversed(received)}
    assert all(key == body["event"] and body["published_at"] for key, body in received)
    assert first["user.created"]["user_id"] == str(task.related_id)
    assert first["user.created"]["username"] == fields["username"]
    assert first["task.started"]["attempt"] == 1
    assert first["task.done"]["task_id"] == str(task.id)
    worker_sent = [key for key, _ in received if key != "task.submitted"]
    assert worker_sent.index("task.started") < worker_sent.index("task.done")
