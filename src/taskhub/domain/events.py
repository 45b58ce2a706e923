"""Domain events: facts that happened, recorded on an aggregate and published after commit."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Event:
    """Base of all events; ``name`` doubles as the routing key other services subscribe to."""

    name = "event"


@dataclass(frozen=True)
class TaskSubmitted(Event):
    task_id: UUID
    task_name: str
    name = "task.submitted"


@dataclass(frozen=True)
class TaskStarted(Event):
    task_id: UUID
    attempt: int
    name = "task.started"


@dataclass(frozen=True)
class TaskProgressed(Event):
    task_id: UUID
    progress: int
    name = "task.progressed"


@dataclass(frozen=True)
class TaskSucceeded(Event):
    task_id: UUID
    name = "task.done"


@dataclass(frozen=True)
class TaskFailed(Event):
    task_id: UUID
    code: str
    name = "task.failed"


@dataclass(frozen=True)
class TaskCancelRequested(Event):
    """A client asked to cancel a running task: its runner stops at the next safe point."""

    task_id: UUID
    name = "task.cancel_requested"


@dataclass(frozen=True)
class TaskCancelled(Event):
    task_id: UUID
    name = "task.cancelled"


@dataclass(frozen=True)
class TaskRetried(Event):
    """A FAILED or CANCELLED task was submitted again, as the task ``retry_id``."""

    task_id: UUID
    retry_id: UUID
    name = "task.retried"


@dataclass(frozen=True)
class UserCreated(Event):
    user_id: UUID
    username: str
    name = "user.created"


@dataclass(frozen=True)
class UserUpdated(Event):
    user_id: UUID
    fields: tuple[str, ...]
    name = "user.updated"


@dataclass(frozen=True)
class UserDeleted(Event):
    user_id: UUID
    name = "user.deleted"
