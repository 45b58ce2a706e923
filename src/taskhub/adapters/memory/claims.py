"""A runner's claims in memory: the task repository's own tracking, so ``commit`` checks them.

A claim and a runner's save are copies tracked as loaded, which the commit writes back under
the store's lock as any save (``saved_over``): a compare-and-set on the version, the fields
changed, the relay's bookkeeping as loaded. A rollback forgets them with everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from taskhub.adapters.memory.store import InMemoryStore, state_of
from taskhub.adapters.memory.tasks import InMemoryTaskRepository
from taskhub.application.ports import claimable_at_once
from taskhub.domain.task import Task, TaskStatus

# What stays as stored under a runner's save: what other writers update in place.
IN_PLACE = ("cancel_requested_at", "redispatches", "relay_after")


class InMemoryTaskClaims:
    """``tasks`` gives the unit of work's task repository, whichever it holds when asked (a
    test may put another in), so that its commit is the one that checks these."""

    def __init__(self, store: InMemoryStore, tasks: Callable[[], InMemoryTaskRepository]) -> None:
        self._store, self._tasks = store, tasks

    def claim(
        self, task_id: UUID, now: datetime, lease: timedelta, progress: int, max_attempts: int
    ) -> Task | None:
        task = self._tasks().get(task_id)
        if task is None or not claimable_at_once(task, now, max_attempts, progress):
            return None
        task.start(now, lease)
        task.report_progress(progress, now)
        return task

    def save_claimed(self, task: Task) -> bool:
        with self._store.lock:
            stored = self._store.tasks.get(task.id)
            if stored is None or not _held(stored, task):
                return False
            kept = IN_PLACE if task.is_finished else (*IN_PLACE, "lease_expires_at")
            for name in kept:
                setattr(task, name, getattr(stored, name))
            loaded = state_of(stored)
        self._tasks().tracked.loaded[task.id] = (task, loaded)  # saved over ``stored`` at commit
        return True

    def cancel_requested(self, task_id: UUID) -> bool:
        with self._store.lock:
            stored = self._store.tasks.get(task_id)
        return stored is not None and stored.cancel_requested


def _held(stored: Task, task: Task) -> bool:
    """Whether ``stored`` is still the claim ``task`` is, as that claim last saved it."""
    running = stored.status is TaskStatus.PROCESSING
    return running and (stored.attempt, stored.version) == (task.attempt, task.version)
