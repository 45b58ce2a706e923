"""The overview of the work, in one read: what the console's first page draws.

Counts by status, tasks finished per minute over the last hours by how they ended, the backlog
and its oldest age, and the processes seen lately: all from one unit of work, so the figures
agree with each other as of one moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from taskhub.application.ports import (
    Backlog,
    Clock,
    MinuteCount,
    Sighting,
    StatusCounts,
    UnitOfWorkFactory,
)
from taskhub.application.presence import RECENT

DEFAULT_WINDOW = timedelta(hours=3)
LONGEST_WINDOW = timedelta(days=2)


@dataclass(frozen=True)
class Overview:
    now: datetime
    since: datetime
    counts: StatusCounts
    finished_per_minute: Sequence[MinuteCount]
    backlog: Backlog
    workers: Sequence[Sighting]

    @property
    def oldest_pending_age(self) -> timedelta:
        return self.backlog.oldest_pending_age(self.now)


def overview(uow_factory: UnitOfWorkFactory, clock: Clock, window: timedelta) -> Overview:
    """The overview of the last ``window`` (at most ``LONGEST_WINDOW``)."""
    now = clock.now()
    since = (now - min(window, LONGEST_WINDOW)).replace(second=0, microsecond=0)
    with uow_factory() as uow:
        return Overview(
            now=now,
            since=since,
            counts=uow.tasks.count_by_status(),
            finished_per_minute=uow.tasks.finished_per_minute(since),
            backlog=uow.tasks.backlog(),
            workers=uow.workers.seen_since(now - RECENT),
        )
