"""An in-process event publisher: keeps recent events and calls local subscribers."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable

from taskhub.domain.events import Event

log = logging.getLogger(__name__)


class LocalEventPublisher:
    """Delivers each event to every subscriber in this process; remembers the latest ``keep``."""

    def __init__(self, keep: int = 10_000) -> None:
        self.recent: deque[Event] = deque(maxlen=keep)
        self._subscribers: list[Callable[[Event], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, subscriber: Callable[[Event], None]) -> None:
        with self._lock:
            self._subscribers.append(subscriber)

    def publish(self, events: Iterable[Event]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for event in events:
            self.recent.append(event)
            for subscriber in subscribers:
                try:
                    subscriber(event)
                except Exception:
                    log.exception("Event subscriber %r failed on %s", subscriber, event.name)
