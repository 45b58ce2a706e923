"""What the console's overview asks of the task repository: how many tasks there are of each
status, and how many finished each minute lately, by how they ended."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from taskhub.domain.task import TaskStatus


@dataclass(frozen=True)
class MinuteCount:
    """``count`` tasks ended ``status`` in the minute that starts at ``minute`` (UTC)."""

    minute: datetime
    status: TaskStatus
    count: int


class TaskActivity(Protocol):
    """The part of ``TaskRepository`` that counts; it locks and changes nothing."""

    def count_by_status(self) -> Mapping[TaskStatus, int]:
        """Every stored task, counted by status (a status none has is left out)."""
        ...

    def finished_per_minute(self, since: datetime) -> Sequence[MinuteCount]:
        """The tasks that finished at ``since`` or later, counted per minute and final status,
        the earliest minute first (a minute none finished in is left out)."""
        ...
