"""The kombu event subscriber's connection to real brokers: it listens only once the broker will
deliver to it, and it keeps a busy RabbitMQ connection alive with heartbeats.

Both faults lose news silently (a follower catches up at its next keep-alive), so these tests look
at the connection itself: Redis's own count of pattern subscriptions, and the subscriber's warning
each time it loses its broker.
"""

from __future__ import annotations

import logging
import threading
import time
from uuid import uuid4

import pytest
import redis

from taskhub.adapters.celery import followers
from taskhub.adapters.celery.events import KombuEventPublisher
from taskhub.adapters.celery.followers import KombuEventSubscriber
from taskhub.domain.events import TaskProgressed
from tests.processes import RedisServer, eventually
from tests.stack import RABBITMQ

SETTLE = 30.0  # seconds for a consumer to be bound; the wait ends as soon as it is
STARTS = 10  # fresh subscribers: the window was a race, open on some starts and not others
BEAT = 2  # seconds: a short AMQP heartbeat, so the broker's patience runs out within the test


def test_a_subscriber_listens_only_once_redis_has_its_subscription(
    private_redis: RedisServer,
) -> None:
    client = redis.Redis.from_url(private_redis.url)
    for _ in range(STARTS):
        subscriber = KombuEventSubscriber(private_redis.url)
        try:
            subscriber.follow(uuid4()).close()
            # looking the instant it says it listens (no pause between looks), as a follower does
            listening = lambda s=subscriber: s.listening  # noqa: E731
            eventually(listening, SETTLE, "the subscriber to listen", 0)
            assert client.execute_command("PUBSUB", "NUMPAT") == 1, "listening, yet not heard"
        finally:
            subscriber.close()
        eventually(lambda: client.execute_command("PUBSUB", "NUMPAT") == 0, SETTLE, "it to go")


@pytest.mark.slow
def test_a_steady_flow_of_events_keeps_the_rabbitmq_connection(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Events for ``4 * BEAT`` seconds, one every 50 ms, so a drain never times out: the broker
    drops a consumer that sends no heartbeat after about three intervals."""
    monkeypatch.setattr(followers, "HEARTBEAT_SECONDS", BEAT)
    caplog.set_level(logging.WARNING, logger=followers.__name__)
    subscriber, publisher = KombuEventSubscriber(RABBITMQ), KombuEventPublisher(RABBITMQ)
    task_id, stop = uuid4(), threading.Event()

    def flow() -> None:
        while not stop.wait(0.05):  # pacing the flow, not waiting for work
            publisher.publish([TaskProgressed(task_id=uuid4(), progress=1)])

    watched = subscriber.follow(task_id)
    flowing = threading.Thread(target=flow)
    try:
        eventually(lambda: subscriber.listening, SETTLE, "the subscriber to listen")
        flowing.start()
        until = time.monotonic() + 4 * BEAT
        while time.monotonic() < until:
            assert subscriber.listening, "the broker dropped the connection"
            watched.wait(0.05)
        stop.set()
        flowing.join()
        publisher.publish([TaskProgressed(task_id=task_id, progress=50)])
        assert watched.wait(SETTLE), "still heard at the end"
    finally:
        stop.set()
        if flowing.is_alive():
            flowing.join()
        watched.close()
        publisher.close()
        subscriber.close()
    assert [r.getMessage() for r in caplog.records if "Not hearing" in r.getMessage()] == []
