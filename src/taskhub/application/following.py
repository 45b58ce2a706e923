"""Following a task: its state each time it changes, until it is finished.

The store is the truth and events are only the wake-up: the follower subscribes, then reads the
task, and reads it again at each wake-up and every ``every`` seconds regardless, so a
notification lost on the way (a broker outage, a change made by a process it cannot hear) only
delays what it sees. It yields the task whenever its version has moved from what it last
yielded, or a change saved in place (a cancel request) shows: states in between may be merged,
never reordered, and progress never goes back. A process that is stopping sets ``stopping``, and
its followers end at their next wake-up or heartbeat, so that their clients go elsewhere.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from taskhub.application.ports import EventSubscriber, StoreUnavailable, Subscription
from taskhub.domain.errors import TaskNotFound
from taskhub.domain.task import Task


class Unheard:
    """A subscriber that hears nothing: its followers only read again every so often."""

    following = 0

    def follow(self, task_id: UUID) -> Subscription:
        return _Silence()


class _Silence:
    def __init__(self) -> None:
        self._never = threading.Event()

    def wait(self, timeout: float) -> bool:
        return self._never.wait(max(timeout, 0))

    def close(self) -> None:
        return None


@dataclass(frozen=True)
class Seen:
    """What a follower already has of a task: its version, and whether it showed a cancel
    request, which is saved in place (``Task.cancel`` keeps the version), so the version
    alone would not tell a client resuming that it missed the mark."""

    version: int
    cancel_requested: bool = False

    @classmethod
    def of(cls, task: Task) -> Seen:
        return cls(task.version, task.cancel_requested)


class Following:
    """One follower of one task; ``states()`` yields what it sees.

    ``seen`` is what the follower already has (a client resuming), ``every`` the longest it goes
    without reading the task and without yielding (``None`` then stands for "still following", a
    stream's heartbeat), ``longest`` how long it follows at most, ``stopping`` set once the
    process is stopping.
    """

    def __init__(
        self,
        read: Callable[[UUID], Task],
        subscriber: EventSubscriber,
        task_id: UUID,
        *,
        seen: Seen | None = None,
        every: float = 1.0,
        longest: float | None = None,
        stopping: threading.Event | None = None,
    ) -> None:
        self._read, self._subscriber, self._task_id = read, subscriber, task_id
        self._seen, self._every = seen, every
        self._stopping = stopping or threading.Event()
        self._shown: dict[str, Any] | None = None  # what it yielded last, as a client sees it
        self._until = None if longest is None else time.monotonic() + longest

    def states(self) -> Generator[Task | None]:
        """The task each time it changes (its version moves, or a change saved in place shows,
        as a cancel request does), ``None`` after ``every`` seconds without one;
        ends once it has yielded the task finished (or the follower had it so already), at
        ``longest``, once ``stopping`` is set, or if there is no such task (any more).

        Every read, the first one too, may find the store down or the task gone: these happen
        while a client is being answered, so they end or pause following, never raise."""
        with closing(self._subscriber.follow(self._task_id)) as subscription:
            try:
                task = self._read_again()  # after subscribing: nothing missed
            except TaskNotFound:
                return
            quiet_since = time.monotonic()
            while True:
                if task is not None and self._changed(task):
                    self._seen, self._shown = Seen.of(task), task.to_dict()
                    quiet_since = time.monotonic()
                    yield task
                if (task is not None and task.is_finished) or self._over():
                    return
                if time.monotonic() - quiet_since >= self._every:
                    quiet_since = time.monotonic()
                    yield None
                subscription.wait(min(quiet_since + self._every - time.monotonic(), self._left()))
                try:
                    task = self._read_again()
                except TaskNotFound:
                    return

    def _changed(self, task: Task) -> bool:
        """Its version or its cancel mark moved, or what a client sees of it did (a change that
        keeps the version)."""
        return Seen.of(task) != self._seen or (
            self._shown is not None and task.to_dict() != self._shown
        )

    def _read_again(self) -> Task | None:
        """The task as stored now, or ``None`` while the store does not answer."""
        try:
            return self._read(self._task_id)
        except StoreUnavailable:
            return None

    def _over(self) -> bool:
        return self._left() <= 0 or self._stopping.is_set()

    def _left(self) -> float:
        return float("inf") if self._until is None else self._until - time.monotonic()
