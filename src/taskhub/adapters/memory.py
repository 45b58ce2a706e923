"""In-memory repositories and unit of work that behave like a database.

A unit of work works on private copies and writes them back at commit under one lock, checking what
the database would check: task and user versions (compare-and-set) and unique usernames and emails.
A rollback discards the copies; a commit is visible to every later unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from taskhub.adapters.memory_store import InMemoryStore, Tracked, detached, state_of
from taskhub.application.ports import Page, TaskFilter
from taskhub.domain.errors import (
    ConcurrentUpdate,
    ConcurrentUserChange,
    EmailTaken,
    IdempotencyKeyInFlight,
    UserAlreadyExists,
    UsernameTaken,
)
from taskhub.domain.events import Event
from taskhub.domain.task import Task, TaskStatus
from taskhub.domain.user import User, email_key

__all__ = [
    "InMemoryStore",
    "InMemoryTaskRepository",
    "InMemoryUnitOfWork",
    "InMemoryUserRepository",
]


class InMemoryUserRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.tracked: Tracked[User] = Tracked()

    def add(self, user: User) -> None:
        self.tracked.added[user.id] = user

    def get(self, user_id: UUID) -> User | None:
        if self.tracked.knows(user_id):
            return self.tracked.local(user_id)
        with self._store.lock:
            committed = self._store.users.get(user_id)
        if committed is None:
            return None
        user = detached(committed)
        self.tracked.loaded[user_id] = (user, state_of(user))
        return user

    def remove(self, user: User) -> None:
        self.tracked.added.pop(user.id, None)
        self.tracked.removed[user.id] = user

    def list(self, page: int, page_size: int) -> Page[User]:
        with self._store.lock:
            visible = {**self._store.users, **{u.id: u for u, _ in self.tracked.loaded.values()}}
        visible.update(self.tracked.added)
        users = sorted(
            (u for u in visible.values() if u.id not in self.tracked.removed),
            key=lambda u: (u.date_joined, str(u.id)),
        )
        start = (page - 1) * page_size
        items = [detached(u) for u in users[start : start + page_size]]
        return Page(items=items, total=len(users), page=page, page_size=page_size)


class InMemoryTaskRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.tracked: Tracked[Task] = Tracked()
        self.in_place: list[InPlace] = []

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

    def renew_lease(self, task_id: UUID, attempt: int, until: datetime) -> bool:
        def held(stored: Task) -> bool:
            return stored.status is TaskStatus.PROCESSING and stored.attempt == attempt

        def renew(stored: Task) -> None:
            stored.lease_expires_at = until

        return self._update_in_place(InPlace(task_id, held, renew))

    def _update_in_place(self, update: InPlace) -> bool:
        """Check now, apply at commit if it still holds (as a row updated in place would be)."""
        with self._store.lock:
            holds = update.holds(self._store.tasks)
        if holds:
            self.in_place.append(update)
        return holds

    def list(self, where: TaskFilter, page: int, page_size: int) -> Page[Task]:
        with self._store.lock:
            tasks = [t for t in self._store.tasks.values() if _matches(t, where)]
        tasks.sort(key=lambda t: (t.created_at, str(t.id)), reverse=True)
        start = (page - 1) * page_size
        items = [detached(t) for t in tasks[start : start + page_size]]
        return Page(items=items, total=len(tasks), page=page, page_size=page_size)


@dataclass(frozen=True)
class InPlace:
    """An update of one stored task that keeps its version, applied at commit if ``condition``
    still holds then. If another commit came in between, it is dropped: in SQL the UPDATE would
    have run first (it holds the row) and the other commit would have overwritten it."""

    task_id: UUID
    condition: Callable[[Task], bool]
    change: Callable[[Task], None]

    def holds(self, tasks: dict[UUID, Task]) -> bool:
        stored = tasks.get(self.task_id)
        return stored is not None and self.condition(stored)


def _matches(task: Task, where: TaskFilter) -> bool:
    wanted = {
        "status": where.status,
        "operation": where.operation,
        "task_name": where.task_name,
        "related_id": where.related_id,
    }
    return all(value is None or getattr(task, name) == value for name, value in wanted.items())


class InMemoryUnitOfWork:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.users = InMemoryUserRepository(store)
        self.tasks = InMemoryTaskRepository(store)
        self._committed_events: list[Event] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def flush(self) -> None:
        """Nothing to send: the store checks and saves everything at ``commit``."""

    def commit(self) -> None:
        with self._store.lock:
            tasks = self._checked_tasks()
            users = self._checked_users()
            in_place, self.tasks.in_place = self.tasks.in_place, []
            self._store.tasks.update(tasks)
            for update in in_place:
                if update.holds(self._store.tasks):
                    update.change(self._store.tasks[update.task_id])
            self._store.idempotency_keys.update(
                {t.idempotency_key: t.id for t in tasks.values() if t.idempotency_key}
            )
            self._store.users = users
        entities: list[User | Task] = [*self.users.tracked.all(), *self.tasks.tracked.all()]
        for entity in entities:
            self._committed_events.extend(entity.events)
            entity.events.clear()
        self.users.tracked.rebase()
        self.tasks.tracked.rebase()

    def rollback(self) -> None:
        self.users.tracked.forget()
        self.tasks.tracked.forget()
        self.tasks.in_place.clear()

    def collect_events(self) -> Iterable[Event]:
        events, self._committed_events = self._committed_events, []
        return events

    def _checked_tasks(self) -> dict[UUID, Task]:
        """The tasks to save, versions bumped; raise ConcurrentUpdate if any was saved meanwhile."""
        tracked, committed = self.tasks.tracked, self._store.tasks
        saved: dict[UUID, Task] = {}
        for task, before in tracked.changed():
            current = committed.get(task.id)
            if current is None or current.version != before["version"]:
                raise ConcurrentUpdate(task.id)
            saved[task.id] = task
        for task in tracked.added.values():
            if task.id in committed:
                raise ConcurrentUpdate(task.id)
            if task.idempotency_key and task.idempotency_key in self._store.idempotency_keys:
                raise IdempotencyKeyInFlight(task.idempotency_key)
            saved[task.id] = task
        for task in saved.values():
            task.version += 1
        return {task_id: detached(task) for task_id, task in saved.items()}

    def _checked_users(self) -> dict[UUID, User]:
        """The whole user table after this commit; raise if it would break a rule.

        A loaded user is saved or deleted only over the version it was loaded at, as in SQL; a
        user added and removed within this unit of work never reaches the store at all.
        """
        tracked = self.users.tracked
        users = dict(self._store.users)
        for user_id in tracked.removed:
            if user_id in tracked.loaded:
                _check_version(users, user_id, tracked.loaded[user_id][1])
            users.pop(user_id, None)
        for user, before in tracked.changed():
            _check_version(users, user.id, before)
            users[user.id] = detached(user)
        for user in tracked.added.values():
            if user.id in users:
                raise UserAlreadyExists(user.id)
            users[user.id] = detached(user)
        _check_unique([*tracked.added.values(), *(u for u, _ in tracked.changed())], users)
        return users


def _check_version(users: dict[UUID, User], user_id: UUID, loaded: dict[str, Any]) -> None:
    current = users.get(user_id)
    if current is None or current.version != loaded["version"]:
        raise ConcurrentUserChange(user_id)


def _check_unique(candidates: list[User], users: dict[UUID, User]) -> None:
    ids = {c.id for c in candidates}
    usernames = {u.username: u.id for u in users.values() if u.id not in ids}
    emails = {email_key(u.email): u.id for u in users.values() if u.id not in ids}
    for user in candidates:
        if usernames.setdefault(user.username, user.id) != user.id:
            raise UsernameTaken(user.username)
        if emails.setdefault(email_key(user.email), user.id) != user.id:
            raise EmailTaken(user.email)
