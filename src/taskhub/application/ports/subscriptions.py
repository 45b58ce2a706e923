"""The port that wakes whoever follows a task when news of it arrives: the event subscriber.

News is only a wake-up, never the state itself: a follower subscribes, then reads the task from
the store, and reads it again each time it is woken. So it misses no change, however news is
delayed, duplicated or merged, and a notification that is lost only delays it until it reads
again of its own accord.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID


class Subscription(Protocol):
    """One follower's wake-up call for one task, until it is closed."""

    def wait(self, timeout: float) -> bool:
        """Block until news of the task has come since the last wait that said so (or since the
        subscription began), for at most ``timeout`` seconds; say whether it came. Several events
        before a wait make one wake-up. An adapter may also wake a follower without an event
        (after reconnecting to its broker, it cannot know what it missed). Never raises."""
        ...

    def close(self) -> None:
        """Stop following and release what the subscription holds; harmless twice."""
        ...


class EventSubscriber(Protocol):
    """Wakes the subscriptions of this process with each published event about their task.

    Which events it hears is the adapter's reach: those published in this process (local), or
    those every process publishes to the events broker (kombu), so that a web process follows
    what a worker on another machine does. ``follow`` returns at once, even when the broker does
    not answer (its subscriptions are then woken by nothing until it does); an adapter holds one
    connection for the whole process, however many follow.
    """

    def follow(self, task_id: UUID) -> Subscription: ...

    @property
    def following(self) -> int:
        """How many subscriptions of this process are open (made and not closed yet)."""
        ...
