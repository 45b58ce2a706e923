"""This process's followers of tasks: the one fan-out behind every event subscriber adapter.

The local publisher wakes them as it publishes; the kombu subscriber, from its consumer thread,
as events arrive from the broker. A subscription is an ``Event`` flag, so waking a follower
costs nothing however much news comes, and a follower that stopped waiting holds nothing else.
"""

from __future__ import annotations

import threading
from uuid import UUID

from taskhub.application.ports import Subscription
from taskhub.domain.events import Event, task_of


class TaskSubscription:
    """One follower's flag, set by news of its task and cleared by the wait that sees it."""

    def __init__(self, followers: Followers, task_id: UUID) -> None:
        self.task_id = task_id
        self._followers = followers
        self._news = threading.Event()

    def wake(self) -> None:
        self._news.set()

    def wait(self, timeout: float) -> bool:
        if not self._news.wait(max(timeout, 0)):
            return False
        self._news.clear()  # before the follower reads the store: later news sets it again
        return True

    def close(self) -> None:
        self._followers.release(self)


class Followers:
    """The open subscriptions of this process, by task."""

    def __init__(self) -> None:
        self._by_task: dict[UUID, set[TaskSubscription]] = {}
        self._lock = threading.Lock()

    def follow(self, task_id: UUID) -> Subscription:
        subscription = TaskSubscription(self, task_id)
        with self._lock:
            self._by_task.setdefault(task_id, set()).add(subscription)
        return subscription

    def release(self, subscription: TaskSubscription) -> None:
        with self._lock:
            held = self._by_task.get(subscription.task_id, set())
            held.discard(subscription)
            if not held:
                self._by_task.pop(subscription.task_id, None)

    def hear(self, event: Event) -> None:
        """Wake the followers of the task the event is about, if any."""
        if (task_id := task_of(event)) is not None:
            self.wake(task_id)

    def wake(self, task_id: UUID) -> None:
        with self._lock:
            woken = list(self._by_task.get(task_id, ()))
        for subscription in woken:
            subscription.wake()

    def wake_all(self) -> None:
        """Wake every follower: news may have been missed (a broker connection was lost)."""
        with self._lock:
            woken = [s for held in self._by_task.values() for s in held]
        for subscription in woken:
            subscription.wake()

    @property
    def following(self) -> int:
        with self._lock:
            return sum(len(held) for held in self._by_task.values())
