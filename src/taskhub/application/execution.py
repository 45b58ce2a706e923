"""Running a task: claim it, perform its operation, and finish it, each step committed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from taskhub.application.operations import handler_for
from taskhub.application.ports import (
    Clock,
    EventPublisher,
    StoreUnavailable,
    UnitOfWork,
    UnitOfWorkFactory,
)
from taskhub.domain.commands import command_for
from taskhub.domain.errors import ConcurrentUpdate, ConcurrentUserChange, DomainError, TaskNotFound
from taskhub.domain.task import Task

log = logging.getLogger(__name__)

UNEXPECTED_ERROR = "internal_error"
UNEXPECTED_MESSAGE = "The task failed because of an unexpected error; it has been logged."
CLAIMED_PROGRESS = 10
CLAIM_TRIES = 3
# A try is lost only to another write of the user that committed: enough to outlast a burst.
USER_CHANGE_TRIES = 5
USER_CHANGE_CONFLICT = "concurrent_user_change"
USER_CHANGE_CONFLICT_MESSAGE = (
    f"Other tasks changed or deleted this user during each of {USER_CHANGE_TRIES} tries; "
    "this task changed nothing."
)


@dataclass(frozen=True)
class Runner:
    """Runs tasks by id. Safe to call any number of times for the same task, from any process."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    publisher: EventPublisher
    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 3

    def run(self, task_id: UUID) -> Task:
        """Run the task unless it is finished or held by another runner; return it as it ends up.

        The operation's effect and the DONE transition commit in one unit of work, so a user
        change never exists without its finished task, nor the reverse.
        """
        claimed = self._claim(task_id)
        if claimed is None:
            return self._load(task_id)
        try:
            return self._perform_over_latest_user(claimed)
        except ConcurrentUpdate:
            log.info("Task %s was taken over by another runner; leaving it", task_id)
        except ConcurrentUserChange:
            self._fail(claimed, USER_CHANGE_CONFLICT, USER_CHANGE_CONFLICT_MESSAGE)
        except StoreUnavailable:
            raise  # nothing was saved; the task's lease runs out and it is run again
        except DomainError as error:
            self._fail(claimed, error.code, error.message)
        except Exception:
            log.exception("Task %s failed unexpectedly", task_id)
            self._fail(claimed, UNEXPECTED_ERROR, UNEXPECTED_MESSAGE)
        return self._load(task_id)

    def _claim(self, task_id: UUID) -> Task | None:
        """Claim the task for this runner, or ``None`` if it is not ours to run.

        A claim can lose a race with a relay that only touched the task; so it looks again, a
        few times, before concluding that another runner has it.
        """
        for _ in range(CLAIM_TRIES):
            try:
                return self._try_claim(task_id)
            except ConcurrentUpdate:
                continue
        return None

    def _try_claim(self, task_id: UUID) -> Task | None:
        with self.uow_factory() as uow:
            task = self._get(uow, task_id)
            now = self.clock.now()
            if not task.can_be_claimed(now):
                return None
            if not task.abandon_if_exhausted(self.max_attempts, now):
                task.start(now, self.lease)
                task.report_progress(CLAIMED_PROGRESS, now)
            uow.commit()
            self._publish(uow)
        return None if task.is_finished else task

    def _perform_over_latest_user(self, claimed: Task) -> Task:
        """Perform the task; if another task wrote its user first, perform it again on what is
        stored now, so that it neither loses that write nor reports a user that is not stored.
        A user deleted meanwhile is then ``user_not_found``, once."""
        for _ in range(USER_CHANGE_TRIES - 1):
            try:
                return self._perform(claimed)
            except ConcurrentUserChange:
                log.info("The user of task %s changed while it ran; running it again", claimed.id)
        return self._perform(claimed)

    def _perform(self, claimed: Task) -> Task:
        with self.uow_factory() as uow:
            task = self._get_as_claimed(uow, claimed)
            command = command_for(task)
            result = handler_for(command)(command, uow, self.clock.now())
            task.succeed(result, self.clock.now())
            uow.commit()
            self._publish(uow)
        return task

    def _fail(self, claimed: Task, code: str, message: str) -> None:
        try:
            with self.uow_factory() as uow:
                task = self._get_as_claimed(uow, claimed)
                task.fail(code, message, self.clock.now())
                uow.commit()
                self._publish(uow)
        except ConcurrentUpdate:
            log.info("Task %s was taken over before it could be failed", claimed.id)

    def _get_as_claimed(self, uow: UnitOfWork, claimed: Task) -> Task:
        """The task, provided it is still under this runner's claim (same attempt)."""
        task = self._get(uow, claimed.id)
        if task.attempt != claimed.attempt or task.is_finished:
            raise ConcurrentUpdate(claimed.id)
        return task

    def _load(self, task_id: UUID) -> Task:
        with self.uow_factory() as uow:
            return self._get(uow, task_id)

    @staticmethod
    def _get(uow: UnitOfWork, task_id: UUID) -> Task:
        task = uow.tasks.get(task_id)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    def _publish(self, uow: UnitOfWork) -> None:
        self.publisher.publish(uow.collect_events())
