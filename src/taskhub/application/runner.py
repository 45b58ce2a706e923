"""The runner: claims a task, performs its operation, and finishes it, each step committed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from taskhub.application.cancellation import CancelRequested, StoreSafePoint
from taskhub.application.catalogue import CATALOGUE, Catalogue, entry_for
from taskhub.application.claiming import as_claimed, claim, save_over_claim
from taskhub.application.heartbeat import Heartbeat
from taskhub.application.log_context import logging_about, task_fields
from taskhub.application.lookups import stored_task
from taskhub.application.ports import (
    NO_OBSERVER,
    Clock,
    ConcurrentUpdate,
    ConcurrentUserChange,
    EventPublisher,
    StoreTimeout,
    StoreUnavailable,
    TaskObserver,
    UnitOfWork,
    UnitOfWorkFactory,
)
from taskhub.application.progress import CLAIMED, StoreProgress
from taskhub.application.retries import USER_CHANGE_TRIES, over_latest_user, through_outages
from taskhub.domain.errors import DomainError
from taskhub.domain.task import Task, TaskStatus

log = logging.getLogger(__name__)

UNEXPECTED_ERROR = "internal_error"
UNEXPECTED_MESSAGE = "The task failed because of an unexpected error; it has been logged."
TIME_LIMIT_ERROR = "time_limit_exceeded"
TIME_LIMIT_MESSAGE = "The task ran past its time limit and was stopped; nothing was changed."
CLAIMED_PROGRESS = CLAIMED
OUTAGE_PATIENCE_LEASES = 5
CLAIM_TRIES = 3
USER_CHANGE_CONFLICT = "concurrent_user_change"
USER_CHANGE_CONFLICT_MESSAGE = (
    f"Other tasks changed or deleted this user during each of {USER_CHANGE_TRIES} tries; "
    "this task changed nothing."
)


@dataclass(frozen=True)
class Runner:
    """Runs tasks by id. Safe to call any number of times for the same task, from any process.

    ``heartbeat`` renews the claim's lease while the task runs. A store outage after the claim is
    waited out under that claim for ``outage_patience`` from its first failure (by default
    ``OUTAGE_PATIENCE_LEASES`` leases: longer than a database restart or failover, shorter than the
    task time limit);
    ``time_limits`` are the exceptions that mean the host stopped the task for running too long
    (Celery's soft limit); ``catalogue`` says which handler performs each operation;
    ``observer`` is told of each step (claimed, finished), and the lines logged while the task
    runs carry its identifiers.
    """

    uow_factory: UnitOfWorkFactory
    clock: Clock
    publisher: EventPublisher
    lease: timedelta = timedelta(seconds=30)
    max_attempts: int = 3
    heartbeat: Heartbeat | None = None
    outage_patience: timedelta | None = None  # set from the lease when not given
    time_limits: tuple[type[BaseException], ...] = ()
    catalogue: Catalogue = field(default_factory=lambda: CATALOGUE)
    observer: TaskObserver = NO_OBSERVER

    def __post_init__(self) -> None:
        if self.outage_patience is None:
            object.__setattr__(self, "outage_patience", self.lease * OUTAGE_PATIENCE_LEASES)

    def run(self, task_id: UUID) -> Task:
        """Run the task unless it is finished or held by another runner; return it as it ends up.

        The operation's effect and the DONE transition commit in one unit of work, so a user
        change never exists without its finished task, nor the reverse. A task whose cancel was
        requested stops before its operation starts, or at the operation's next safe point,
        ending CANCELLED with nothing saved of its work. Raises
        ``StoreUnavailable`` when the store cannot be reached to claim or fail the task, or stayed
        away longer than ``outage_patience`` after the claim (the lease then runs out).
        """
        claimed = self._claim(task_id)
        if claimed is None:
            return self._load(task_id)
        holding = self.heartbeat.holding(claimed) if self.heartbeat else nullcontext()
        with logging_about(**task_fields(claimed)), holding:
            done = self._settle(claimed)
        return done or self._load(task_id)

    def _settle(self, claimed: Task) -> Task | None:
        """Perform the claimed task and return it DONE; or end it FAILED, saying why, if that
        fails for good, or CANCELLED at a safe point (``None``: the task as it ended is in the
        store)."""
        try:
            return self._perform_through_outages(claimed)
        except CancelRequested:
            self._end(claimed, Task.stop_at_safe_point)
        except ConcurrentUpdate:
            log.info("Task %s was taken over by another runner; leaving it", claimed.id)
        except ConcurrentUserChange:
            self._fail(claimed, USER_CHANGE_CONFLICT, USER_CHANGE_CONFLICT_MESSAGE)
        except StoreTimeout as timeout:
            self._fail(claimed, timeout.code, timeout.message)
        except StoreUnavailable:
            raise
        except DomainError as error:
            self._fail(claimed, error.code, error.message)
        except self.time_limits:
            log.warning("Task %s was stopped at its time limit", claimed.id)
            self._fail(claimed, TIME_LIMIT_ERROR, TIME_LIMIT_MESSAGE)
        except Exception:
            log.exception("Task %s failed unexpectedly", claimed.id)
            self._fail(claimed, UNEXPECTED_ERROR, UNEXPECTED_MESSAGE)
        return None

    def _perform_through_outages(self, claimed: Task) -> Task:
        """Perform, waiting out a store outage under the same claim (``retries``)."""
        assert self.outage_patience is not None  # set by __post_init__
        return through_outages(
            lambda: over_latest_user(lambda: self._perform(claimed), claimed.id),
            self.outage_patience,
            claimed.id,
        )

    def _claim(self, task_id: UUID) -> Task | None:
        """Claim the task for this runner, or ``None`` if it is not ours to run.

        A claim that loses its compare-and-set looks again, a few times: the task may still be
        claimable (another runner only reported progress, or failed to claim it too).
        """
        for _ in range(CLAIM_TRIES):
            try:
                return self._try_claim(task_id)
            except ConcurrentUpdate:
                continue
        return None

    def _try_claim(self, task_id: UUID) -> Task | None:
        with self.uow_factory() as uow:
            now = self.clock.now()
            task = claim(uow, task_id, now, self.lease, CLAIMED_PROGRESS, self.max_attempts)
            if task is None:
                return None
            uow.commit()
            self._publish(uow)
        if task.status is TaskStatus.CANCELLED:
            self.observer.finished(task, None)  # its runner died: no attempt ran it to its end
            return None
        if task.is_finished:
            self.observer.abandoned(task)
            return None
        self.observer.started(task)
        return task

    def _perform(self, claimed: Task) -> Task:
        """A cancel requested since the claim stops the task before its operation starts (a
        safe point for any, asked in the operation's unit of work). DONE is written over the
        task as the claim last saved it (``StoreProgress.task``: the operation's progress
        reports move its version), after the effect, with no read of the task."""
        progress = StoreProgress(self.uow_factory, self.clock, self.publisher, claimed)
        with self.uow_factory() as uow:
            safe_point = StoreSafePoint(uow, claimed.id)
            safe_point.reached()
            entry = entry_for(claimed, self.catalogue)
            result = entry.perform(claimed, uow, self.clock.now(), safe_point, progress)
            uow.flush()  # the effect first: its lock waits must not hold the task's row
            now = self.clock.now()
            task = save_over_claim(uow, progress.task, lambda t: t.succeed(result, now))
            uow.commit()
            self._publish(uow)
        self.observer.finished(task, claimed.updated_at)  # updated when claimed: ``Task.start``
        return task

    def _fail(self, claimed: Task, code: str, message: str) -> None:
        self._end(claimed, lambda task, now: task.fail(code, message, now))

    def _end(self, claimed: Task, end: Callable[[Task, datetime], None]) -> None:
        """End the claimed task FAILED or CANCELLED (``end``), unless it was taken over."""
        try:
            with self.uow_factory() as uow:
                task = as_claimed(uow, claimed)
                end(task, self.clock.now())
                uow.commit()
                self._publish(uow)
            self.observer.finished(task, claimed.updated_at)
        except ConcurrentUpdate:
            log.info("Task %s was taken over before it could be ended", claimed.id)

    def _load(self, task_id: UUID) -> Task:
        with self.uow_factory() as uow:
            return stored_task(uow, task_id)

    def _publish(self, uow: UnitOfWork) -> None:
        self.publisher.publish(uow.collect_events())
