"""The event subscriber of a distributed deployment: news of tasks from the events broker.

One consumer thread per process, started by the first follower, listens on a queue of its own
bound to the live exchange (``LIVE_EXCHANGE``) and wakes this process's followers of each task
it hears of. Losing the broker loses news, never a change: the thread reconnects with a growing
pause, and wakes every follower once it listens again, so that each reads what it missed.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from typing import Any

from kombu.connection import Connection
from kombu.entity import Exchange, Queue
from kombu.message import Message

from taskhub.adapters.celery.events import LIVE_EXCHANGE
from taskhub.adapters.local.followers import Followers
from taskhub.application.ports import Subscription

log = logging.getLogger(__name__)
FIRST_PAUSE, LONGEST_PAUSE = 0.1, 5.0  # seconds between attempts to reach the broker again
DRAIN_SECONDS = 1.0  # how often the thread looks up from the broker (to stop, to beat)
SUBSCRIBE_SECONDS = 0.1  # the first, short drain: what sends Redis its PSUBSCRIBE
HEARTBEAT_SECONDS = 10  # AMQP heartbeats, so a broker gone silent is noticed


class KombuEventSubscriber:
    """Follows tasks through the events broker at ``url``; ``close`` stops the thread."""

    def __init__(self, url: str, timeout: float = 1.0) -> None:
        self._url, self._timeout = url, timeout
        self._followers = Followers()
        self._stopped = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def follow(self, task_id: uuid.UUID) -> Subscription:
        self._start()
        return self._followers.follow(task_id)

    @property
    def following(self) -> int:
        return self._followers.following

    @property
    def listening(self) -> bool:
        """Whether the consumer is bound to the live exchange now, hearing what is published."""
        return self._listening.is_set()

    def close(self, timeout: float = 5.0) -> None:
        self._stopped.set()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None and not self._stopped.is_set():
                self._thread = threading.Thread(
                    target=self._listen, name="taskhub-followers", daemon=True
                )
                self._thread.start()

    def _listen(self) -> None:
        """Consume until stopped, reconnecting after a pause that doubles while the broker stays
        away and starts short again after each time it was reached."""
        pause = FIRST_PAUSE
        while not self._stopped.is_set():
            try:
                self._consume()
            except Exception as error:
                pause = FIRST_PAUSE if self._listening.is_set() else pause
                log.warning("Not hearing task events (%s); trying again in %.1f s", error, pause)
            self._listening.clear()
            if self._stopped.wait(pause):
                return
            pause = min(pause * 2, LONGEST_PAUSE)

    def _consume(self) -> None:
        """Listen until stopped; raise when the broker is lost.

        kombu's Redis transport sends its PSUBSCRIBE only inside the first ``drain_events``, so
        one short drain comes before the thread says it listens: a follower woken then, which
        reads the task and waits, hears whatever is published after its read."""
        with self._connection() as connection:
            connection.ensure_connection(max_retries=1)
            with connection.Consumer(
                self._queue(), callbacks=[self._heard], accept=["json"], no_ack=True
            ):
                beat = _Beat(connection)
                self._drain(connection, SUBSCRIBE_SECONDS, beat)
                self._listening.set()
                self._followers.wake_all()  # what was published before now went unheard
                while not self._stopped.is_set():
                    self._drain(connection, DRAIN_SECONDS, beat)

    @staticmethod
    def _drain(connection: Connection, timeout: float, beat: _Beat) -> None:
        """Deliver what arrives within ``timeout``, then beat if it is time, however busy the
        broker is: a steady flow of events never lets a drain time out."""
        with contextlib.suppress(TimeoutError):
            connection.drain_events(timeout=timeout)
        beat.maybe()

    def _connection(self) -> Connection:
        options = {"socket_connect_timeout": self._timeout, "max_retries": 1}
        return Connection(
            self._url,
            connect_timeout=self._timeout,
            heartbeat=HEARTBEAT_SECONDS,
            transport_options=options,
        )

    @staticmethod
    def _queue() -> Queue:
        """A queue of this process's own, gone with its connection (on RabbitMQ) or nothing but
        a pub/sub subscription (on Redis)."""
        live = Exchange(LIVE_EXCHANGE, type="fanout", durable=True)
        name = f"taskhub.followers.{uuid.uuid4().hex}"
        return Queue(name, live, routing_key="#", exclusive=True, auto_delete=True, durable=False)

    def _heard(self, body: Any, message: Message) -> None:
        try:
            task_id = uuid.UUID(str(body["task_id"]))
        except (KeyError, TypeError, ValueError):
            return
        self._followers.wake(task_id)


class _Beat:
    """AMQP heartbeats for a consumer that only reads: it must send them itself, or the broker
    drops the connection after a few silent intervals (no-op on Redis)."""

    def __init__(self, connection: Connection) -> None:
        self._connection, self._next = connection, time.monotonic()

    def maybe(self) -> None:
        """Check at most every ``DRAIN_SECONDS``: often enough for ``HEARTBEAT_SECONDS``
        (amqp sends one every half interval), cheap under a flood of events."""
        if (now := time.monotonic()) >= self._next:
            self._next = now + DRAIN_SECONDS
            self._connection.heartbeat_check()
