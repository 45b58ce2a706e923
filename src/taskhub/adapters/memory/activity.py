"""The overview's counts in memory, over the committed tasks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from taskhub.adapters.memory.store import InMemoryStore
from taskhub.application.ports import EXACT_UP_TO, MinuteCount, StatusCounts


class InMemoryTaskActivity:
    """``TaskActivity`` for ``InMemoryTaskRepository``."""

    _store: InMemoryStore

    def count_by_status(self, exact_up_to: int = EXACT_UP_TO) -> StatusCounts:
        """Counted, always: the tasks are in memory already."""
        with self._store.lock:
            return StatusCounts(Counter(task.status for task in self._store.tasks.values()))

    def finished_per_minute(self, since: datetime) -> Sequence[MinuteCount]:
        with self._store.lock:
            ended = [(t.updated_at.replace(second=0, microsecond=0), t.status)
                     for t in self._store.tasks.values()
                     if t.is_finished and t.updated_at >= since]  # fmt: skip
        counted = sorted(Counter(ended).items())
        return [MinuteCount(minute, status, count) for (minute, status), count in counted]
