"""Retention in memory: finished tasks deleted at commit, a deleted user's tasks found.

The in-memory store holds no row locks: two purges at once may both count a task that one of
them deletes, and two redactions of one task make the second commit raise ``ConcurrentUpdate``
(the use case then looks again), as on SQLite.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from uuid import UUID

from taskhub.adapters.memory.store import InMemoryStore, Tracked, detached, state_of
from taskhub.application.ports import Cutoff
from taskhub.domain.task import Task, TaskName, TaskStatus


class InMemoryTaskRetention:
    """``TaskRetention`` for ``InMemoryTaskRepository``, which holds ``purged``."""

    _store: InMemoryStore
    tracked: Tracked[Task]
    purged: set[UUID]

    def purge_finished(self, cutoff: Cutoff, limit: int) -> int:
        with self._store.lock:
            found = _purgeable(self._store.tasks.values(), cutoff)
            chosen = [task.id for task in found if task.id not in self.purged][:limit]
        self.purged.update(chosen)
        return len(chosen)

    def count_purgeable(self, cutoff: Cutoff) -> int:
        with self._store.lock:
            return len(_purgeable(self._store.tasks.values(), cutoff))

    def redactable(self, deleted_before: datetime, limit: int) -> Sequence[Task]:
        with self._store.lock:
            due = _redactable(list(self._store.tasks.values()), deleted_before)[:limit]
            copies = [detached(task) for task in due if not self.tracked.knows(task.id)]
        for task in copies:
            self.tracked.loaded[task.id] = (task, state_of(task))
        return [found for task in due if (found := self.tracked.local(task.id)) is not None]

    def count_redactable(self, deleted_before: datetime, purged: Collection[Cutoff] = ()) -> int:
        with self._store.lock:
            tasks = list(self._store.tasks.values())
        deleted = _deletions(tasks, deleted_before)
        spared = {task.id for cutoff in purged for task in _purgeable(tasks, cutoff)}
        return sum(1 for t in tasks if t.related_table == "user" and t.related_id in deleted
                   and _unredacted(t) and t.id not in spared)  # fmt: skip

    def apply_purges(self) -> None:
        """At commit, under the store's lock: delete what ``purge_finished`` chose, and free
        their idempotency keys."""
        for task_id in self.purged:
            task = self._store.tasks.pop(task_id, None)
            if task is not None and task.idempotency_key:
                self._store.idempotency_keys.pop(task.idempotency_key, None)
        self.purged.clear()


def _purgeable(tasks: Iterable[Task], cutoff: Cutoff) -> list[Task]:
    """The tasks ``cutoff`` names (``Cutoff`` says which it keeps)."""
    return [
        task
        for task in tasks
        if task.is_finished
        and task.operation in cutoff.operations
        and task.updated_at < cutoff.finished_before
        and (task.idempotency_key is None or task.created_at <= cutoff.keys_before)
        and not (_is_deletion(task) and task.redacted_at is None)
    ]


def _is_deletion(task: Task) -> bool:
    return task.task_name is TaskName.DELETE_USER and task.status is TaskStatus.DONE


def _unredacted(task: Task) -> bool:
    return task.is_finished and task.redacted_at is None


def _deletions(tasks: Iterable[Task], deleted_before: datetime) -> dict[UUID | None, Task]:
    """The deletions not yet redacted whose users were deleted before ``deleted_before``."""
    return {
        task.related_id: task
        for task in tasks
        if _is_deletion(task) and task.redacted_at is None and task.updated_at < deleted_before
    }


def _redactable(tasks: list[Task], deleted_before: datetime) -> list[Task]:
    """The tasks on those users but their deletions, then each deletion whose user has no other
    task left unredacted (unfinished ones included)."""
    deleted = _deletions(tasks, deleted_before)
    on_deleted = [
        t
        for t in tasks
        if t.related_table == "user" and t.related_id in deleted and not _is_deletion(t)
    ]
    others = [t for t in on_deleted if _unredacted(t)]
    waiting = {t.related_id for t in on_deleted if t.redacted_at is None}
    return [*others, *(d for user, d in deleted.items() if user not in waiting)]
