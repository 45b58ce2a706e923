"""The observer port: told of each step of a task's life, for its log lines and its metrics.

Not a domain event: an event says what happened to a task, for subscribers anywhere (it is
published to the event exchange). An observation says what this process did with it (claimed
it, ran it for so long, handed it on again), with the whole task at hand, for this process's
logs and metrics; and some steps (a redispatch) are no fact of the task's at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from taskhub.domain.task import Task


class TaskObserver(Protocol):
    """Told of each step of a task's life once it is committed, in the process that took it.

    Each method returns quickly and never raises: the step is saved, and observing it must not
    undo or delay it. An observer reads the task and never changes it, and never tells of its
    ``input_data`` or ``result`` beyond the failure ``code`` (they hold personal fields).
    """

    def submitted(self, task: Task) -> None:
        """Recorded PENDING, once per task, in the process that submitted it."""

    def started(self, task: Task) -> None:
        """Claimed by a runner for its ``attempt``."""

    def finished(self, task: Task, started_at: datetime | None) -> None:
        """Ended in its final status (``task.status``: DONE, FAILED or CANCELLED) by the attempt
        claimed at ``started_at``; ``None`` when no attempt ran it to that end (one cancelled
        before it ran, or after its runner died)."""

    def abandoned(self, task: Task) -> None:
        """Ended FAILED ``worker_lost``: every allowed attempt died with its runner (this, and
        not ``finished``, tells of that end)."""

    def redispatched(self, task: Task) -> None:
        """Handed to the bus again by the relay, since no runner was finishing it."""


class NoObserver:
    """Observes nothing: for a service built without observers (a unit test's)."""

    def submitted(self, task: Task) -> None:
        pass

    def started(self, task: Task) -> None:
        pass

    def finished(self, task: Task, started_at: datetime | None) -> None:
        pass

    def abandoned(self, task: Task) -> None:
        pass

    def redispatched(self, task: Task) -> None:
        pass


NO_OBSERVER: TaskObserver = NoObserver()
