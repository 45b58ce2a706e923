"""A runner's hold on a task: its claim, and its writes over that claim, without reading first.

The store takes a claim, and a write over the task as this claim last saved it, in one
statement each (``TaskClaims``). Whatever that leaves is decided as before, on the task as read:
a claim the store did not take may still end the task (its cancel requested, its attempts
spent) or find it not claimable; a write whose compare-and-set failed may only have missed an
earlier write of the same claim (one whose commit was lost to the runner), and is made again
over the task as read, provided the claim still holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID

from taskhub.application.lookups import stored_task
from taskhub.application.ports import ConcurrentUpdate, UnitOfWork
from taskhub.domain.task import Task


def claim(
    uow: UnitOfWork,
    task_id: UUID,
    now: datetime,
    lease: timedelta,
    progress: int,
    max_attempts: int,
) -> Task | None:
    """The task claimed in ``uow`` (started, ``progress`` reported), or ended CANCELLED or
    FAILED if its runner died with its cancel requested or with its last attempt, each saved by
    the commit; ``None`` if it is not claimable (nothing to save). Raises ``TaskNotFound``."""
    claimed = uow.claims.claim(task_id, now, lease, progress, max_attempts)
    if claimed is not None:
        return claimed
    task = stored_task(uow, task_id)
    if not task.can_be_claimed(now):
        return None
    ended = task.cancel_if_requested(now) or task.abandon_if_exhausted(max_attempts, now)
    if not ended:
        task.start(now, lease)
        task.report_progress(progress, now)
    return task


def save_over_claim(uow: UnitOfWork, latest: Task, change: Callable[[Task], None]) -> Task:
    """The claimed task with ``change`` made, saved by ``uow``'s commit: made on a copy of
    ``latest`` (the task as this claim last saved it, which stays as it is whatever the commit
    does), or on the task as read if the store's moved since (see the module). Raises
    ``ConcurrentUpdate`` if another runner took the task over, or it is finished."""
    task = replace(latest, events=[])
    change(task)
    if uow.claims.save_claimed(task):
        return task
    task = as_claimed(uow, latest)
    change(task)
    return task


def as_claimed(uow: UnitOfWork, claimed: Task) -> Task:
    """The task as read in ``uow``, provided it is still under ``claimed``'s claim (same
    attempt, unfinished); else ``ConcurrentUpdate``."""
    task = stored_task(uow, claimed.id)
    if task.attempt != claimed.attempt or task.is_finished:
        raise ConcurrentUpdate(claimed.id)
    return task
