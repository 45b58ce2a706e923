"""The ports that move work and news: the task bus, the event publisher, the clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol
from uuid import UUID

from taskhub.domain.events import Event


class DispatchFailed(Exception):
    """The bus could not hand a task on; the task stays PENDING for the relay to re-dispatch."""


class TaskBus(Protocol):
    """Hands a committed task to whatever runs it: now, in a thread, or on another machine.

    ``dispatch`` returns quickly; it raises ``DispatchFailed`` when the hand-over failed, in which
    case the task is still PENDING in the store and may be dispatched again later. Running the same
    task twice is harmless (the runner is idempotent), so a bus may deliver at least once.
    """

    def dispatch(self, task_id: UUID) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class EventPublisher(Protocol):
    """Tells the world what happened, after the fact has been committed.

    ``publish`` never raises: the facts are already saved, so an adapter that cannot deliver an
    event logs it and carries on.
    """

    def publish(self, events: Iterable[Event]) -> None: ...
