"""The repositories a unit of work holds: users, tasks and administrators, with the filters and
pages they use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar
from uuid import UUID

from taskhub.application.paging import Position
from taskhub.application.ports.activity import TaskActivity
from taskhub.application.ports.browsing import UserQuery
from taskhub.application.ports.retention import TaskRetention
from taskhub.domain.administrator import Administrator
from taskhub.domain.api_token import ApiToken
from taskhub.domain.task import Operation, Task, TaskName, TaskStatus
from taskhub.domain.user import User


@dataclass(frozen=True)
class TaskFilter:
    """Which tasks to list; ``None`` means any. Entrypoints parse text into these types first,
    so a store never meets a value it cannot compare (a raw string was a StatementError).
    ``created_after`` keeps tasks submitted at that moment or later, ``created_before`` those
    submitted strictly earlier (timezone-aware both), so consecutive windows never overlap."""

    status: TaskStatus | None = None
    operation: Operation | None = None
    task_name: TaskName | None = None
    related_id: UUID | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@dataclass(frozen=True)
class Backlog:
    """The tasks waiting and running now, and when the oldest waiting one was submitted."""

    pending: int = 0
    processing: int = 0
    oldest_pending_at: datetime | None = None

    def oldest_pending_age(self, now: datetime) -> timedelta:
        """How long the oldest PENDING task has waited (nothing, when none waits)."""
        return now - self.oldest_pending_at if self.oldest_pending_at else timedelta(0)


T = TypeVar("T")


@dataclass(frozen=True)
class NumberedPage(Generic[T]):
    """A page found by its number, with how many there are in all: the console's user search,
    which sorts by any column (every other list pages by cursor: ``application.paging``)."""

    items: Sequence[T]
    total: int
    page: int
    page_size: int


class UserRepository(Protocol):
    """Users inside one unit of work. Changes to users it returned are saved by ``commit``.

    Uniqueness of username and of ``email_key(email)`` (the domain's folded address) is enforced by
    the store: a commit that would break it raises ``UsernameTaken`` or ``EmailTaken`` and saves
    nothing. Saving or removing a loaded user is a compare-and-set on ``User.version`` (which the
    domain moves on every change): if another unit of work saved or removed the same user since
    this one loaded it, ``commit`` raises ``ConcurrentUserChange`` and saves nothing.
    """

    def add(self, user: User) -> None: ...

    def get(self, user_id: UUID) -> User | None: ...

    def remove(self, user: User) -> None: ...

    def list(self, after: Position | None, limit: int) -> Sequence[User]:
        """At most ``limit`` users in the list's order (date joined, then id), those after
        ``after`` (from the first, if ``None``): found by where the last page or batch ended,
        as an index range, never by an offset that users added or removed since would shift."""
        ...

    def count(self) -> int:
        """How many users there are (it reads them all: only when a client asks)."""
        ...

    def browse(self, query: UserQuery, page: int, page_size: int) -> NumberedPage[User]:
        """One page of the users ``query`` matches, in its order, with how many match."""
        ...


class TaskRepository(TaskRetention, TaskActivity, Protocol):
    """Tasks inside one unit of work. Changes to tasks it returned are saved by ``commit``.

    Each save is a compare-and-set on ``Task.version``: if another unit of work saved the same task
    since this one loaded it, ``commit`` raises ``ConcurrentUpdate`` and saves nothing. That is what
    makes a claim atomic: of two runners that load a PENDING task and start it, one commit wins.
    A save writes the fields this unit of work changed, and the relay's bookkeeping as loaded
    (so a claim clears a redispatch noted since); what was updated in place meanwhile (a lease
    renewed, a cancel requested) and not changed here stays as the update left it.
    What keeps the history bounded is ``TaskRetention``'s; what counts for the overview,
    ``TaskActivity``'s.
    """

    def add(self, task: Task) -> None:
        """Add a new task; at commit, a task id or idempotency key already stored raises
        ``ConcurrentUpdate`` or ``IdempotencyKeyInFlight`` respectively."""
        ...

    def get(self, task_id: UUID) -> Task | None: ...

    def get_by_idempotency_key(self, key: str) -> Task | None: ...

    def list(self, where: TaskFilter, after: Position | None, limit: int) -> Sequence[Task]:
        """At most ``limit`` matching tasks, newest first (created_at, then id, descending),
        those after ``after`` in that order (from the newest, if ``None``): an index range
        whatever the filter, so a deep page costs what the first does."""
        ...

    def count(self, where: TaskFilter) -> int:
        """How many tasks match (it reads every match: only when a client asks)."""
        ...

    def backlog(self) -> Backlog:
        """How many tasks are PENDING and PROCESSING, and the oldest PENDING one's
        ``created_at``: one query, however many tasks there are."""
        ...

    def due_for_relay(
        self, now: datetime, idle: timedelta, limit: int, ignore_backoff: bool = False
    ) -> Sequence[Task]:
        """At most ``limit`` tasks for which ``Task.due_for_relay(now, idle, ignore_backoff)``
        holds: first the
        PROCESSING ones (their runner is gone for certain), then the PENDING ones (probably lost),
        each least recently changed first."""
        ...

    def record_redispatch(self, task: Task, relay_after: datetime) -> bool:
        """Count one more redispatch of ``task`` and set its ``relay_after``, saved by ``commit``.

        Only if the stored task is still as loaded (same version, same redispatch count); says
        whether it was. Unlike every other save it keeps the version, so a runner's claim that
        races the relay still succeeds: the relay's bookkeeping never makes a claim fail.
        """
        ...

    def save_cancel_request(self, task: Task) -> bool:
        """Save ``task.cancel_requested_at`` (``Task.cancel`` set it) in place, by ``commit``,
        if the stored task is PROCESSING; say whether it is. A mark already stored stays.

        Keeps the version and ``updated_at``, so that its runner's own saves (compare-and-sets
        on the version) still succeed; and they keep the mark, since a save writes only what it
        changed. The mark on ``task`` is then as stored: ``commit`` does not save it again.
        """
        ...

    def renew_lease(self, task_id: UUID, attempt: int, until: datetime) -> bool:
        """Extend the lease of ``attempt`` of a PROCESSING task to ``until``, saved by ``commit``.

        Says whether that attempt still holds the task. Keeps the version and ``updated_at``: a
        heartbeat is not a change a client sees, nor one that makes a concurrent save fail.
        """
        ...


class AdministratorRepository(Protocol):
    """The console's accounts inside one unit of work; ``commit`` saves what was added or
    changed. Usernames are unique: a commit that would repeat one raises ``AdministratorExists``
    and saves nothing."""

    def add(self, administrator: Administrator) -> None: ...

    def get_by_username(self, username: str) -> Administrator | None:
        """The account of exactly this (normalised) username."""
        ...

    def list(self) -> Sequence[Administrator]:
        """Every account, oldest first."""
        ...


class ApiTokenRepository(Protocol):
    """The API's tokens inside one unit of work; ``commit`` saves what was added or changed (a
    revocation, a use noted). A digest names one token: secrets are random to 256 bits."""

    def add(self, token: ApiToken) -> None: ...

    def get(self, token_id: UUID) -> ApiToken | None: ...

    def get_by_digest(self, digest: str) -> ApiToken | None:
        """The token whose secret has this digest, revoked or not."""
        ...

    def list(self) -> Sequence[ApiToken]:
        """Every token, oldest first."""
        ...
