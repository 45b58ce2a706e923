"""The store's port: the unit of work over the repositories, and the failures it reports.

Every adapter passes the same contract suite (``tests/contract/test_unit_of_work.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from taskhub.application.ports.claims import TaskClaims
from taskhub.application.ports.presence import WorkerRegistry
from taskhub.application.ports.repositories import (
    AdministratorRepository,
    ApiTokenRepository,
    TaskRepository,
    UserRepository,
)
from taskhub.domain.events import Event


class StoreUnavailable(Exception):
    """The store of record cannot be reached; nothing of the unit of work was saved."""


class StoreTimeout(StoreUnavailable):
    """The store gave up on a statement: a lock waited for, or a statement run, too long.

    ``code`` says which (``lock_timeout``, ``statement_timeout``); nothing was saved. A runner ends
    the task FAILED with it, since running the same work again would most likely wait again.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ConcurrentUpdate(Exception):
    """Another unit of work changed the same task first; this one's changes were not saved.

    Never a client's fault and never a task's result: the runner that sees it has lost the task to
    another runner and stops.
    """

    def __init__(self, task_id: UUID) -> None:
        super().__init__(f"Task {task_id} was changed concurrently; nothing was saved.")
        self.task_id = task_id


class ConcurrentUserChange(Exception):
    """Another unit of work changed or deleted the same user first; this one saved nothing.

    Never a client's fault: the runner performs the task again on what is stored now, so that no
    write of a user is lost, nor made over data it never read.
    """

    def __init__(self, user_id: UUID) -> None:
        super().__init__(f"User {user_id} was changed or deleted concurrently; nothing was saved.")
        self.user_id = user_id


class WriteWhileReading(Exception):
    """A unit of work made ``read_only`` was asked to write; nothing of it was saved. Always a
    bug of the caller, never the store's: a read-only unit of work is chosen in code."""

    def __init__(self) -> None:
        super().__init__("This unit of work only reads; it saves nothing.")


class UnitOfWork(Protocol):
    """One transaction over users, tasks and administrators, used as a context manager.

    Nothing is saved unless ``commit`` is called; leaving the block without it rolls back. After a
    commit the changes are visible to every later unit of work. ``commit`` raises
    ``StoreUnavailable`` when the store cannot be reached, and the domain's uniqueness errors,
    ``ConcurrentUpdate`` or ``ConcurrentUserChange`` as the repositories describe; in every case
    nothing was saved. ``claims`` are the writes of a runner over the tasks it holds.
    """

    users: UserRepository
    tasks: TaskRepository
    claims: TaskClaims
    administrators: AdministratorRepository
    api_tokens: ApiTokenRepository
    workers: WorkerRegistry

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def read_only(self) -> Self:
        """Make this unit of work, before it is entered, one that only reads. It reads what is
        committed outside any transaction (no BEGIN and no ROLLBACK around it: each read sees
        the latest commit, so two reads may see two states), which is what a poll of one row
        needs and all it should pay for. Any write raises ``WriteWhileReading``: a statement
        that writes in place when it is made, any other change at ``flush`` or ``commit``, which
        always raise; nothing is saved."""
        ...

    def flush(self) -> None:
        """Send what was changed so far to the store, inside the transaction; ``commit`` still
        decides. A runner flushes an operation's effect before it touches the task, so that while
        the effect waits for a lock the task's row is not locked too (its lease stays renewable).
        Raises what ``commit`` would for those changes."""
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None:
        """Discard every change since the last commit, and their events; what this unit of
        work held is detached (get it again to see the store). Leaving the block does this."""
        ...

    def collect_events(self) -> Iterable[Event]:
        """Pop the events of what the commits of this unit of work saved."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
