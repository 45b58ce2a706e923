"""An in-process event publisher: keeps recent events, calls local subscribers, and wakes the
followers of each task it publishes news of (the event subscriber of one process)."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from uuid import UUID

from taskhub.adapters.local.followers import Followers
from taskhub.application.ports import Subscription
from taskhub.domain.events import Event

log = logging.getLogger(__name__)


class LocalEventPublisher:
    """Delivers each event to every subscriber in this process; remembers the latest ``keep``.

    It is this process's ``EventSubscriber`` too: ``follow`` a task to be woken by its events.
    """

    def __init__(self, keep: int = 10_000) -> None:
        self.recent: deque[Event] = deque(maxlen=keep)
        self._subscribers: list[Callable[[Event], None]] = []
        self._lock = threading.Lock()
        self._followers = Followers()

    def subscribe(self, subscriber: Callable[[Event], None]) -> None:
        with self._lock:
            self._subscribers.append(subscriber)

    def publish(self, events: Iterable[Event]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for event in events:
            self.recent.append(event)
            self._followers.hear(event)
            for subscriber in subscribers:
                try:
                    subscriber(event)
                except Exception:
                    log.exception("Event subscriber %r failed on %s", subscriber, event.name)

    def follow(self, task_id: UUID) -> Subscription:
        return self._followers.follow(task_id)

    @property
    def following(self) -> int:
        return self._followers.following
