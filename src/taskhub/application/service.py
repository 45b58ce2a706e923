"""The task service: every use case of taskhub, over ports given once, for every entrypoint.

The HTTP views, the library's ``Hub``, the command line and the Celery task all call this one
object, which the container builds; none of them wires a use case of its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from uuid import UUID

from taskhub.application import cancellation
from taskhub.application.catalogue import entry_for
from taskhub.application.commands import Command
from taskhub.application.following import Following, Seen, Unheard
from taskhub.application.lookups import stored_task
from taskhub.application.overview import DEFAULT_WINDOW, Overview, overview
from taskhub.application.paging import (
    DEFAULT_PAGE_SIZE,
    Page,
    Position,
    check_page,
    check_paging,
    page_of,
)
from taskhub.application.ports import (
    NO_OBSERVER,
    Backlog,
    Clock,
    ConcurrentUpdate,
    EventPublisher,
    EventSubscriber,
    NumberedPage,
    Sighting,
    TaskBus,
    TaskFilter,
    TaskObserver,
    UnitOfWorkFactory,
    UserQuery,
)
from taskhub.application.presence import RECENT
from taskhub.application.relay import Relay, SweepReport
from taskhub.application.retention import PurgeReport, Retention
from taskhub.application.runner import Runner
from taskhub.application.submission import Idempotency, Submitter
from taskhub.domain.errors import (
    TaskAlreadyRetried,
    TaskRedacted,
    UserNotFound,
)
from taskhub.domain.task import Task
from taskhub.domain.user import User

__all__ = ["Idempotency", "TaskService"]  # a submission's key is part of the service's language
NO_SUCH_TASK = UUID(int=0)


@dataclass(frozen=True)
class TaskService:
    uow_factory: UnitOfWorkFactory
    bus: TaskBus
    clock: Clock
    publisher: EventPublisher
    runner: Runner
    # Made when a sweep asks for it: most callers of the service (every web request) never sweep.
    relay_factory: Callable[[], Relay]
    retention: Retention
    observer: TaskObserver = NO_OBSERVER
    subscriber: EventSubscriber | None = None  # None: followers hear nothing, they read again

    def submit(
        self,
        command: Command,
        idempotency: Idempotency | None = None,
        request_id: str | None = None,
    ) -> Task:
        """Record the command's task as PENDING, then hand it to the bus; return it as recorded.

        The command was validated when it was made. Dispatching only after the commit means a
        worker never sees a task that is not in the store; if dispatching fails, the task is safe
        as PENDING and the relay hands it on later, so the submission still succeeds. A key
        already used for the same request returns that request's task and submits nothing; for
        another request it raises ``IdempotencyKeyReused``; once expired, it names a new task
        (``application.idempotency``). ``request_id`` names the request that submitted it, for
        the logs of every process that handles the task.
        """
        return self._submitter.submit(command, idempotency, request_id)

    def retry(
        self,
        task_id: UUID,
        idempotency: Idempotency | None = None,
        request_id: str | None = None,
    ) -> Task:
        """Submit a FAILED or CANCELLED task's command again as a new task, linked both ways in
        one commit (``Task.record_retry`` says what it refuses: a redacted task too, whose input
        no longer says what it asked); a key works as for ``submit``, and so does ``request_id``:
        the new task carries the request that retried it."""
        original = self.get(task_id)
        try:
            original.check_retryable()  # before its input is read: a redacted one's is not it
            entry = entry_for(original, self.runner.catalogue)
            again = entry.command.from_task(original).resubmitted()
            try:
                return self._submitter.submit(again, idempotency, request_id, retry_of=task_id)
            except ConcurrentUpdate:  # another retry of it committed first: meet its link now
                return self._submitter.submit(again, idempotency, request_id, retry_of=task_id)
        except (TaskAlreadyRetried, TaskRedacted):  # by this very request, a moment earlier?
            if (earlier := self._submitter.keyed(idempotency)) is None:
                raise
            return earlier

    def cancel(self, task_id: UUID) -> Task:
        """Cancel a task and return it as the cancel left it (``cancellation.cancel``)."""
        return cancellation.cancel(
            self.uow_factory, self.clock, self.publisher, task_id, self.observer
        )

    def get(self, task_id: UUID) -> Task:
        """The task as stored now, or ``TaskNotFound``: one read, so outside any transaction
        (``UnitOfWork.read_only``); every status poll, detail and wait comes this way."""
        with self.uow_factory().read_only() as uow:
            return stored_task(uow, task_id)

    def list(
        self,
        where: TaskFilter | None = None,
        cursor: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        count: bool = False,
    ) -> Page[Task]:
        """Matching tasks, newest first, one bounded page at a time: the first, or the one
        after ``cursor`` (a page's ``next``); with how many match, if ``count``."""
        after, where = check_paging(cursor, page_size), where or TaskFilter()
        with self.uow_factory() as uow:
            rows = uow.tasks.list(where, after, page_size + 1)
            return page_of(rows, page_size, task_place, uow.tasks.count(where) if count else None)

    def browse_users(
        self, query: UserQuery, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
    ) -> NumberedPage[User]:
        """The users ``query`` matches, one page, read straight from the store: not a task.

        For the console, an operator's tool that must show the users while workers are down,
        and whose every page view would otherwise add a task row (and a copy of a page of
        users) to the history. Clients of the API still read through ``list_users`` tasks.
        """
        check_page(page, page_size)
        with self.uow_factory() as uow:
            return uow.users.browse(query, page, page_size)

    def find_user(self, user_id: UUID) -> User:
        """One user as stored now, straight from the store (as ``browse_users``), or
        ``UserNotFound``."""
        with self.uow_factory() as uow:
            if (user := uow.users.get(user_id)) is None:
                raise UserNotFound(user_id)
            return user

    def wait(self, task_id: UUID, timeout: float, interval: float = 0.02) -> Task:
        """Poll until the task is finished; raise TimeoutError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not (task := self.get(task_id)).is_finished:
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"Task {task_id} is still {task.status} after {timeout} seconds."
                )
            time.sleep(min(interval, max(deadline - time.monotonic(), 0)))
            interval = min(interval * 1.5, 0.5)
        return task

    def follow(
        self,
        task_id: UUID,
        seen: Seen | None = None,
        every: float = 0.5,
        longest: float | None = None,
        stopping: threading.Event | None = None,
    ) -> Generator[Task | None]:
        """The task each time it changes until it is finished, woken by its events
        (``following.Following``): ``None`` after ``every`` seconds without a change."""
        subscriber = self.subscriber or Unheard()
        following = Following(
            self.get,
            subscriber,
            task_id,
            seen=seen,
            every=every,
            longest=longest,
            stopping=stopping,
        )
        return following.states()

    def run(self, task_id: UUID) -> Task:
        """Run the task here and now, as a worker does; harmless if it ran already."""
        return self.runner.run(task_id)

    def sweep(self, ignore_backoff: bool = False) -> SweepReport:
        """Hand on the tasks no runner is finishing (``Relay.sweep``)."""
        return self.relay_factory().sweep(ignore_backoff)

    def backlog(self) -> Backlog:
        """The tasks waiting and running now, from the store (for metrics)."""
        with self.uow_factory() as uow:
            return uow.tasks.backlog()

    def purge(
        self,
        older_than: timedelta | None = None,
        dry_run: bool = False,
        max_batches: int | None = None,
    ) -> PurgeReport:
        """Delete old finished tasks and redact a deleted user's (``Retention.purge``)."""
        return self.retention.purge(older_than, dry_run, max_batches)

    def overview(self, window: timedelta = DEFAULT_WINDOW) -> Overview:
        """Counts, finishes per minute, backlog and workers, as of now (``overview``)."""
        return overview(self.uow_factory, self.clock, window)

    def workers_seen(self, within: timedelta = RECENT) -> Sequence[Sighting]:
        """The processes that ran or relayed tasks lately (``application.presence``)."""
        with self.uow_factory() as uow:
            return uow.workers.seen_since(self.clock.now() - within)

    def check_store(self) -> None:
        """Read through a unit of work; raise whatever the store raises if it does not answer."""
        with self.uow_factory() as uow:
            uow.tasks.get(NO_SUCH_TASK)

    def check_bus(self) -> None:
        """Raise unless the bus answers: one with a broker behind it has ``ping()``."""
        ping = getattr(self.bus, "ping", None)
        if callable(ping):
            ping()

    def check_events(self) -> None:
        """Raise unless the event publisher answers: one with a broker behind it has ``ping()``."""
        ping = getattr(self.publisher, "ping", None)
        if callable(ping):
            ping()

    @cached_property
    def _submitter(self) -> Submitter:
        key_ttl = self.retention.policy.key_ttl
        return Submitter(
            self.uow_factory, self.bus, self.clock, self.publisher, key_ttl, self.observer
        )


def task_place(task: Task) -> Position:
    """A task's place in the task list (newest first): when it was submitted, then its id."""
    return Position(task.created_at, task.id)
