"""The Celery bus and worker on real brokers: Redis and RabbitMQ, real worker processes."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from uuid import uuid4

import pytest
from kombu import Connection, Exchange, Queue

from taskhub.adapters.celery.app import RUN_TASK, make_celery
from taskhub.adapters.celery.bus import CeleryBus
from taskhub.adapters.celery.events import EXCHANGE, KombuEventPublisher
from taskhub.application.ports import DispatchFailed
from taskhub.domain.events import UserCreated
from taskhub.domain.task import TaskStatus
from taskhub.testing import user_fields
from tests.integration.conftest import hub_for
from tests.processes import Worker, free_port
from tests.stack import stack_env


def test_submissions_run_on_a_separate_worker(
    database_url: str, broker: tuple[str, str], start_worker: Callable[..., Worker]
) -> None:
    env = stack_env(database_url, *broker)
    worker = start_worker({**env, "TASKHUB_WORKER_CONCURRENCY": "3"})
    assert len(worker.children()) == 3, "the pool is sized by TASKHUB_WORKER_CONCURRENCY"
    with hub_for(env) as hub:
        tasks = [hub.users.create(**user_fields()) for _ in range(10)]
        finished = [hub.tasks.wait(task.id, timeout=30) for task in tasks]
    assert {task.status for task in finished} == {TaskStatus.DONE}
    assert {task.attempt for task in finished} == {1}


def test_a_dispatch_is_a_json_message_named_by_task_whose_id_is_the_tasks(
    broker: tuple[str, str],
) -> None:
    url, queue = broker
    task_id = uuid4()
    CeleryBus(make_celery(url, queue, lease_seconds=3)).dispatch(task_id)
    with Connection(url) as connection:
        message = connection.SimpleQueue(queue).get(timeout=5)
        message.ack()
    assert message.headers["id"] == str(task_id)
    assert message.headers["task"] == RUN_TASK
    assert message.content_type == "application/json"
    assert json.loads(message.body)[0] == [str(task_id)]


def test_a_dead_broker_fails_a_dispatch_within_about_a_second() -> None:
    bus = CeleryBus(make_celery(f"redis://127.0.0.1:{free_port()}/0", "taskhub", 3))
    started = time.monotonic()
    with pytest.raises(DispatchFailed):
        bus.dispatch(uuid4())
    assert time.monotonic() - started < 3


def test_a_submission_with_the_broker_down_is_kept_pending(database_url: str) -> None:
    env = stack_env(database_url, f"redis://127.0.0.1:{free_port()}/0")
    with hub_for(env) as hub:
        task = hub.users.create(**user_fields())
        assert hub.tasks.get(task.id).status is TaskStatus.PENDING


def test_events_reach_subscribers_by_routing_key(broker: tuple[str, str]) -> None:
    url, _ = broker
    exchange = Exchange(EXCHANGE, type="topic", durable=True)
    queue = Queue(f"events-{uuid4().hex[:8]}", exchange, routing_key="user.*", auto_delete=True)
    with Connection(url) as connection:
        queue(connection.default_channel).declare()
        publisher = KombuEventPublisher(url)
        user_id = uuid4()
        publisher.publish([UserCreated(user_id=user_id, username="ada")])
        publisher.close()
        message = connection.SimpleQueue(queue).get(timeout=5)
        message.ack()
        queue(connection.default_channel).delete()
    body = message.decode()
    assert body["event"] == "user.created"
    assert (body["user_id"], body["username"]) == (str(user_id), "ada")


def test_an_unreachable_event_broker_never_fails_the_publisher(
    caplog: pytest.LogCaptureFixture,
) -> None:
    publisher = KombuEventPublisher(f"redis://127.0.0.1:{free_port()}/0")
    publisher.publish([UserCreated(user_id=uuid4(), username="ada")])
    publisher.close()  # the failure is logged by the publishing thread, never raised
    assert "Event user.created could not be published" in caplog.text


def test_a_silent_event_broker_never_holds_up_the_publisher() -> None:
    """A broker that accepts connections and never answers: each publish could wait a second."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        publisher = KombuEventPublisher(f"redis://127.0.0.1:{port}/0", timeout=1.0)
        events = [UserCreated(user_id=uuid4(), username=f"u{i}") for i in range(5)]
        started = time.monotonic()
        publisher.publish(events)
        waited = time.monotonic() - started
        publisher.close(timeout=0.1)
    assert waited < 1.0, f"publishing 5 events waited {waited:.2f}s on a silent broker"
