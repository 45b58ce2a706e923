"""Several task observers as one: each is told of every step, whatever another does."""

from __future__ import annotations

import logging
from datetime import datetime

from taskhub.application.ports import TaskObserver
from taskhub.domain.task import Task

log = logging.getLogger(__name__)


class Observers:
    """Tells each observer in turn; one that raises is logged, and the others still hear."""

    def __init__(self, *observers: TaskObserver) -> None:
        self.observers = observers

    def submitted(self, task: Task) -> None:
        self._tell("submitted", task)

    def started(self, task: Task) -> None:
        self._tell("started", task)

    def finished(self, task: Task, started_at: datetime | None) -> None:
        self._tell("finished", task, started_at)

    def abandoned(self, task: Task) -> None:
        self._tell("abandoned", task)

    def redispatched(self, task: Task) -> None:
        self._tell("redispatched", task)

    def _tell(self, step: str, task: Task, *more: object) -> None:
        for observer in self.observers:
            try:
                getattr(observer, step)(task, *more)
            except Exception:
                log.exception("Task observer %r failed at %s of task %s", observer, step, task.id)
