"""The runner's port: a task's claim and its runner's writes, each one statement, no read first.

The task repository's saves read the task, decide in the domain, and write it back under a
compare-and-set on its version. A runner's own steps need no read: a claim's transition is known
in advance, and what the runner writes afterwards is over the task as it last saved it. Both
are compare-and-sets on the same version the repository's saves check, so each side still sees
the other's changes as concurrent. Every adapter passes ``tests/contract/test_task_claims.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from taskhub.domain.task import Task


def claimable_at_once(task: Task, now: datetime, max_attempts: int, progress: int) -> bool:
    """Whether ``TaskClaims.claim`` takes ``task``: claimable (``Task.can_be_claimed``), with no
    cancel requested and an attempt left, and either never claimed (attempt 0, below
    ``progress``: the claim reports it) or claimed before with ``progress`` reached (it reports
    nothing). What a first claim leaves tells which, so the store need not read the task first.
    Every other task is for the domain to decide on as read: ended, left, or started."""
    first = task.attempt == 0 and task.progress < progress
    again = task.attempt > 0 and task.progress >= progress
    fresh = not task.cancel_requested and task.attempt < max_attempts
    return task.can_be_claimed(now) and fresh and (first or again)


class TaskClaims(Protocol):
    """Writes of the runner that holds a task, inside one unit of work, saved by its ``commit``.

    Each is a compare-and-set on ``Task.version`` and moves it as the repository's saves do, so
    a task loaded elsewhere before one of these fails its own save, and the reverse. A store
    that checks at ``commit`` rather than at the statement (the in-memory one) raises
    ``ConcurrentUpdate`` there if another unit of work saved the task meanwhile. In-place
    updates (a lease renewed, a cancel requested, a redispatch noted) are kept.
    """

    def claim(
        self, task_id: UUID, now: datetime, lease: timedelta, progress: int, max_attempts: int
    ) -> Task | None:
        """Start the task (``Task.start(now, lease)``) and report ``progress`` on it
        (``Task.report_progress``) in one write, if ``claimable_at_once`` holds for it as
        stored; return it as stored then, with the events those two record. ``None`` when it
        does not, or there is no such task: nothing was written."""
        ...

    def save_claimed(self, task: Task) -> bool:
        """Write the runner's change of ``task`` (its status, progress, result and
        ``updated_at``, and no lease once it is finished) over the task as stored, if that is
        still ``task.attempt`` at ``task.version`` and unfinished; say whether it was.

        ``task`` is the runner's own object, not one this unit of work loaded. Once written it
        is as stored: version moved (at ``commit``, in a store that checks there), in-place
        updates read back; its events are published as any saved task's.
        """
        ...

    def cancel_requested(self, task_id: UUID) -> bool:
        """Whether a cancel of the task was requested, as committed when asked (a new read each
        call: a safe point's question). ``False`` for no such task."""
        ...
