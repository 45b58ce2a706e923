"""Units of work that let a test decide what happens between a read and the commit after it.

The store, the runner and the other task are all real; only the moment is chosen, so a race that
threads would hit now and then happens on every run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from taskhub.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from taskhub.application.ports import (
    TaskRepository,
    UnitOfWork,
    UnitOfWorkFactory,
    UserRepository,
)
from taskhub.domain.user import User


class _UsersRead:
    """A user repository that remembers whether it returned a user."""

    def __init__(self, inner: UserRepository) -> None:
        self._inner = inner
        self.read = False

    def get(self, user_id: UUID) -> User | None:
        user = self._inner.get(user_id)
        self.read = self.read or user is not None
        return user

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Interposed:
    def __init__(self, inner: UnitOfWork, before_commit: Callable[[], None]) -> None:
        self._inner, self._before_commit = inner, before_commit
        self._interposed = False

    def __enter__(self) -> Self:
        self._inner.__enter__()
        self.users = _UsersRead(self._inner.users)
        self.tasks = self._inner.tasks
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._inner.__exit__(exc_type, exc, tb)

    def flush(self) -> None:
        self._interpose()
        self._inner.flush()

    def commit(self) -> None:
        self._interpose()
        self._inner.commit()

    def _interpose(self) -> None:
        """Once per unit, before it first writes what it did with a user it read."""
        if self.users.read and not self._interposed:
            self._interposed = True
            self._before_commit()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class Interleaving:
    """A unit of work factory whose units, the first ``times`` they are about to commit having read
    a user, call ``between`` first: whatever it does lands after their read, before their commit."""

    def __init__(
        self, inner: UnitOfWorkFactory, between: Callable[[], object], times: int = 1
    ) -> None:
        self._inner, self._between, self._left = inner, between, times
        self._lock = threading.Lock()

    def __call__(self) -> UnitOfWork:
        return _Interposed(self._inner(), self._before_commit)  # type: ignore[return-value]

    def _before_commit(self) -> None:
        with self._lock:
            if self._left == 0:
                return
            self._left -= 1
        self._between()


def in_thread(action: Callable[[], object]) -> Callable[[], None]:
    """``action`` run to its end on another thread (its own connection), while the caller waits."""

    def run() -> None:
        thread = threading.Thread(target=action)
        thread.start()
        thread.join()

    return run


def all_at_once(*actions: Callable[[], object]) -> None:
    """Run the actions on threads of their own, started together; return when all have ended."""
    threads = [threading.Thread(target=action) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class _CalledTasks:
    """A task repository that calls ``hook`` each time ``method`` has returned."""

    def __init__(self, inner: TaskRepository, method: str, hook: Callable[[], None]) -> None:
        self._inner, self._method, self._hook = inner, method, hook

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if name != self._method:
            return found

        def called(*args: Any, **kwargs: Any) -> Any:
            result = found(*args, **kwargs)
            self._hook()
            return result

        return called


class AfterTaskCall:
    """A unit of work factory on ``store`` whose task repositories, right after ``method``
    returns, call ``meanwhile``: the first ``times`` calls (every call if ``None``). Whatever it
    does lands after that read or write, while the unit that made it is still open."""

    def __init__(
        self,
        store: InMemoryStore,
        method: str,
        meanwhile: Callable[[], object],
        times: int | None = 1,
    ) -> None:
        self._store, self._method, self._meanwhile = store, method, meanwhile
        self._left = times
        self._lock = threading.Lock()

    def __call__(self) -> UnitOfWork:
        uow = InMemoryUnitOfWork(self._store)
        uow.tasks = _CalledTasks(uow.tasks, self._method, self._hook)  # type: ignore[assignment]
        return uow

    def _hook(self) -> None:
        with self._lock:
            if self._left == 0:
                return
            if self._left is not None:
                self._left -= 1
        self._meanwhile()
