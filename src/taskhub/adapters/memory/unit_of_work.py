"""The in-memory unit of work: behaves like a database, down to what a commit refuses.

A unit of work works on private copies and writes them back at commit under one lock, checking what
the database would check: task and user versions (compare-and-set), unique usernames and emails,
unique administrator usernames. API tokens are saved as they were last changed.
A rollback discards the copies; a commit is visible to every later unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from taskhub.adapters.memory.administrators import InMemoryAdministratorRepository
from taskhub.adapters.memory.api_tokens import InMemoryApiTokenRepository
from taskhub.adapters.memory.claims import InMemoryTaskClaims
from taskhub.adapters.memory.store import InMemoryStore, detached
from taskhub.adapters.memory.tasks import InMemoryTaskRepository, saved_over
from taskhub.adapters.memory.users import InMemoryUserRepository
from taskhub.adapters.memory.workers import InMemoryWorkerRegistry
from taskhub.application.ports import ConcurrentUpdate, ConcurrentUserChange
from taskhub.application.unit_of_work import BaseUnitOfWork
from taskhub.domain.errors import (
    EmailTaken,
    IdempotencyKeyInFlight,
    UserAlreadyExists,
    UsernameTaken,
)
from taskhub.domain.task import Task
from taskhub.domain.user import User
from taskhub.domain.user_fields import email_key


class InMemoryUnitOfWork(BaseUnitOfWork):
    users: InMemoryUserRepository
    tasks: InMemoryTaskRepository
    claims: InMemoryTaskClaims
    administrators: InMemoryAdministratorRepository
    api_tokens: InMemoryApiTokenRepository
    workers: InMemoryWorkerRegistry

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.users = InMemoryUserRepository(store)
        self.tasks = InMemoryTaskRepository(store)
        self.claims = InMemoryTaskClaims(store, lambda: self.tasks)
        self.administrators = InMemoryAdministratorRepository(store)
        self.api_tokens = InMemoryApiTokenRepository(store)
        self.workers = InMemoryWorkerRegistry(store)

    def _begin(self) -> None:
        """Nothing to open: each repository reads the store under its lock."""

    def _flush(self) -> None:
        """Nothing to send: the store checks and saves everything at ``commit``."""

    def _save(self) -> None:
        with self._store.lock:
            administrators = self.administrators.checked()
            api_tokens = self.api_tokens.saved()
            tasks = self._checked_tasks()
            users = self._checked_users()
            for key in self.tasks.released_keys():
                self._store.idempotency_keys.pop(key, None)
            self.tasks.apply_purges()
            in_place, self.tasks.in_place = self.tasks.in_place, []
            self._store.tasks.update(tasks)
            for update in in_place:
                if update.still_applies(self._store.tasks):
                    update.change(self._store.tasks[update.task_id])
            self._store.idempotency_keys.update(
                {t.idempotency_key: t.id for t in tasks.values() if t.idempotency_key}
            )
            self._store.users = users
            self._store.administrators.update({a.id: a for a in administrators})
            self._store.api_tokens.update({t.id: t for t in api_tokens})
            self.workers.apply()
        for repository in (self.users, self.tasks, self.administrators, self.api_tokens):
            repository.tracked.rebase()

    def _discard(self) -> None:
        self.users.tracked.forget()
        self.tasks.tracked.forget()
        self.administrators.tracked.forget()
        self.api_tokens.tracked.forget()
        self.workers.discard()
        self.tasks.in_place.clear()
        self.tasks.purged.clear()

    def _touched(self) -> Iterable[User | Task]:
        return [*self.users.tracked.all(), *self.tasks.tracked.all()]

    def _checked_tasks(self) -> dict[UUID, Task]:
        """The tasks as this commit leaves them, versions bumped (``saved_over``: a save writes
        what it changed); raise ConcurrentUpdate if any was saved meanwhile."""
        tracked, committed = self.tasks.tracked, self._store.tasks
        taken = self._store.idempotency_keys.keys() - self.tasks.released_keys()
        changed = list(tracked.changed())
        for task, before in changed:
            current = committed.get(task.id)
            if current is None or current.version != before["version"]:
                raise ConcurrentUpdate(task.id)
        for task in tracked.added.values():
            if task.id in committed:
                raise ConcurrentUpdate(task.id)
            if task.idempotency_key and task.idempotency_key in taken:
                raise IdempotencyKeyInFlight(task.idempotency_key)
        for task in [*(t for t, _ in changed), *tracked.added.values()]:
            task.version += 1
        saved = {t.id: saved_over(committed[t.id], t, before) for t, before in changed}
        return {**saved, **{t.id: detached(t) for t in tracked.added.values()}}

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
