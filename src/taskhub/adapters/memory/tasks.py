"""Tasks in memory: private copies for one unit of work, and updates that keep a task's version."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from taskhub.adapters.memory.activity import InMemoryTaskActivity
from taskhub.adapters.memory.retention import InMemoryTaskRetention
from taskhub.adapters.memory.store import InMemoryStore, Tracked, detached, state_of
from taskhub.application.paging import Position
from taskhub.application.ports import Backlog, TaskFilter
from taskhub.domain.task import Task, TaskStatus

RELAY_BOOKKEEPING = ("redispatches", "relay_after")  # a save writes them, as loaded


class InMemoryTaskRepository(InMemoryTaskRetention, InMemoryTaskActivity):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.tracked: Tracked[Task] = Tracked()
        self.in_place: list[InPlace] = []
        self.purged: set[UUID] = set()

    def add(self, task: Task) -> None:
        self.tracked.added[task.id] = task

    def get(self, task_id: UUID) -> Task | None:
        if self.tracked.knows(task_id):
            return self.tracked.local(task_id)
        with self._store.lock:
            committed = self._store.tasks.get(task_id)
        if committed is None:
            return None
        task = detached(committed)
        self.tracked.loaded[task_id] = (task, state_of(task))
        return task

    def get_by_idempotency_key(self, key: str) -> Task | None:
        with self._store.lock:
            task_id = next(
                (t.id for t in self._store.tasks.values() if t.idempotency_key == key), None
            )
        return None if task_id is None else self.get(task_id)

    def backlog(self) -> Backlog:
        with self._store.lock:
            tasks = list(self._store.tasks.values())
        pending = [t.created_at for t in tasks if t.status is TaskStatus.PENDING]
        processing = sum(t.status is TaskStatus.PROCESSING for t in tasks)
        return Backlog(len(pending), processing, min(pending, default=None))

    def due_for_relay(
        self, now: datetime, idle: timedelta, limit: int, ignore_backoff: bool = False
    ) -> list[Task]:
        with self._store.lock:
            tasks = self._store.tasks.values()
            due = [t for t in tasks if t.due_for_relay(now, idle, ignore_backoff)]
        due.sort(key=lambda t: (t.status is not TaskStatus.PROCESSING, t.updated_at, str(t.id)))
        return [self.get(t.id) for t in due[:limit]]  # type: ignore[misc]

    def record_redispatch(self, task: Task, relay_after: datetime) -> bool:
        def as_loaded(stored: Task) -> bool:
            return (stored.version, stored.redispatches) == (task.version, task.redispatches)

        def note(stored: Task) -> None:
            stored.redispatches += 1
            stored.relay_after = relay_after

        return self._update_in_place(InPlace(task.id, as_loaded, note))

    def save_cancel_request(self, task: Task) -> bool:
        marked_at = task.cancel_requested_at

        def running(stored: Task) -> bool:
            return stored.status is TaskStatus.PROCESSING

        def mark(stored: Task) -> None:
            stored.cancel_requested_at = stored.cancel_requested_at or marked_at

        if task.id in self.tracked.loaded:  # the mark as stored: commit does not save it again
            before = self.tracked.loaded[task.id][1]
            before["cancel_requested_at"] = marked_at
        # Applied at commit whatever happened since: in SQL the UPDATE holds the row, and the
        # runner's save that follows it writes only what the runner changed.
        return self._update_in_place(InPlace(task.id, running, mark, recheck=False))

    def renew_lease(self, task_id: UUID, attempt: int, until: datetime) -> bool:
        def held(stored: Task) -> bool:
            return stored.status is TaskStatus.PROCESSING and stored.attempt == attempt

        def renew(stored: Task) -> None:
            stored.lease_expires_at = until

        return self._update_in_place(InPlace(task_id, held, renew))

    def released_keys(self) -> set[str]:
        """The idempotency keys that tasks this unit of work changed held when loaded, and no
        longer hold: free for a task added in the same commit."""
        return {
            before["idempotency_key"]
            for task, before in self.tracked.changed()
            if before["idempotency_key"] and task.idempotency_key != before["idempotency_key"]
        }

    def _update_in_place(self, update: InPlace) -> bool:
        """Check now, apply at commit if it still holds (as a row updated in place would be)."""
        with self._store.lock:
            holds = update.holds(self._store.tasks)
        if holds:
            self.in_place.append(update)
        return holds

    def list(self, where: TaskFilter, after: Position | None, limit: int) -> Sequence[Task]:
        with self._store.lock:
            tasks = [t for t in self._store.tasks.values() if _matches(t, where)]
        if after is not None:
            tasks = [t for t in tasks if (t.created_at, t.id) < (after.at, after.id)]
        tasks.sort(key=lambda t: (t.created_at, t.id), reverse=True)
        return [detached(t) for t in tasks[:limit]]

    def count(self, where: TaskFilter) -> int:
        with self._store.lock:
            return sum(1 for t in self._store.tasks.values() if _matches(t, where))


@dataclass(frozen=True)
class InPlace:
    """An update of one stored task that keeps its version, applied at commit if ``condition``
    still holds then (or, with ``recheck=False``, if the task is still stored). If another commit
    came in between and broke it, it is dropped: in SQL the UPDATE would have run first (it holds
    the row) and the other commit would have overwritten it."""

    task_id: UUID
    condition: Callable[[Task], bool]
    change: Callable[[Task], None]
    recheck: bool = True

    def holds(self, tasks: dict[UUID, Task]) -> bool:
        stored = tasks.get(self.task_id)
        return stored is not None and self.condition(stored)

    def still_applies(self, tasks: dict[UUID, Task]) -> bool:
        return self.holds(tasks) if self.recheck else self.task_id in tasks


def saved_over(stored: Task, task: Task, loaded: dict[str, Any]) -> Task:
    """What a save of ``task`` leaves in the store over ``stored``: the fields it changed since
    ``loaded``, and the relay's bookkeeping as loaded, as the SQL store's UPDATE writes them; an
    update in place of any other field since it was loaded (a lease, a cancel request) stays."""
    saved = detached(stored)
    for name, value in state_of(task).items():
        if value != loaded[name] or name in RELAY_BOOKKEEPING:
            setattr(saved, name, value)
    return saved


def _matches(task: Task, where: TaskFilter) -> bool:
    wanted = {
        "status": where.status,
        "operation": where.operation,
        "task_name": where.task_name,
        "related_id": where.related_id,
    }
    if where.created_after is not None and task.created_at < where.created_after:
        return False
    if where.created_before is not None and task.created_at >= where.created_before:
        return False
    return all(value is None or getattr(task, name) == value for name, value in wanted.items())
