"""What the console's overview asks of the task repository: how many tasks there are of each
status, and how many finished each minute lately, by how they ended."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from taskhub.domain.task import TaskStatus

# A status with more tasks than this may be estimated rather than counted: an exact count reads
# every one of its rows, and finished tasks grow with every task ever run.
EXACT_UP_TO = 100_000


class StatusCounts(Mapping[TaskStatus, int]):
    """Tasks by status (a status none has is left out); those in ``estimated`` are the store's
    estimate of their number, not a count."""

    def __init__(
        self, counts: Mapping[TaskStatus, int], estimated: Iterable[TaskStatus] = ()
    ) -> None:
        self._counts = dict(counts)
        self.estimated = frozenset(estimated)

    def __getitem__(self, status: TaskStatus) -> int:
        return self._counts[status]

    def __iter__(self) -> Iterator[TaskStatus]:
        return iter(self._counts)

    def __len__(self) -> int:
        return len(self._counts)

    def __repr__(self) -> str:
        return f"StatusCounts({self._counts!r}, estimated={sorted(self.estimated)!r})"


@dataclass(frozen=True)
class MinuteCount:
    """``count`` tasks ended ``status`` in the minute that starts at ``minute`` (UTC)."""

    minute: datetime
    status: TaskStatus
    count: int


class TaskActivity(Protocol):
    """The part of ``TaskRepository`` that counts; it locks and changes nothing."""

    def count_by_status(self, exact_up_to: int = EXACT_UP_TO) -> StatusCounts:
        """Every stored task by status. A store that keeps statistics may estimate a status
        that holds more than ``exact_up_to`` tasks (PostgreSQL does, from its planner's); every
        other status is counted, so the backlog's are always exact."""
        ...

    def finished_per_minute(self, since: datetime) -> Sequence[MinuteCount]:
        """The tasks that finished at ``since`` or later, counted per minute and final status,
        the earliest minute first (a minute none finished in is left out)."""
        ...
