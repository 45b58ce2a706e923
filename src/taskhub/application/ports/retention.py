"""What retention asks of the task repository: old finished tasks deleted, a deleted user's tasks
found for redaction, in bounded batches that never wait for a row another transaction holds."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from taskhub.domain.task import Operation, Task


@dataclass(frozen=True)
class Cutoff:
    """Which finished tasks a purge deletes: those of ``operations`` that finished before
    ``finished_before``, except two kinds it must keep. One whose idempotency key still names it
    (submitted after ``keys_before``): a client's retry of the request would otherwise submit it
    again. And a user's deletion not yet redacted: redaction finds that user's tasks through it,
    those finishing after it included."""

    operations: frozenset[Operation]
    finished_before: datetime
    keys_before: datetime


class TaskRetention(Protocol):
    """The part of ``TaskRepository`` that keeps the history bounded (``application.retention``).

    "Finished" is ``Task.is_finished``, and a finished task's ``updated_at`` is when it finished:
    nothing changes it after (a redaction keeps it). A task still on its way is never purged or
    redacted. Where the store locks rows (PostgreSQL), rows another transaction holds (a runner, a
    submission releasing a key, another purger) are skipped, never waited for.
    """

    def purge_finished(self, cutoff: Cutoff, limit: int) -> int:
        """Delete at most ``limit`` of the finished tasks ``cutoff`` names, and say how many;
        ``commit`` makes it so, leaving without it deletes nothing."""
        ...

    def count_purgeable(self, cutoff: Cutoff) -> int:
        """How many tasks ``purge_finished`` would find, with no limit; it locks and changes
        nothing (a dry run)."""
        ...

    def redactable(self, deleted_before: datetime, limit: int) -> Sequence[Task]:
        """At most ``limit`` finished tasks, not yet redacted, on users whose deletion (their
        ``delete_user`` task, DONE) finished before ``deleted_before``; changes to them are saved
        by ``commit``. A deletion comes last: only once every other task on its user is finished
        and redacted, so that a task still running when its user was deleted is redacted too."""
        ...

    def count_redactable(self, deleted_before: datetime, purged: Collection[Cutoff] = ()) -> int:
        """How many tasks ``redactable`` would return over every batch, with no limit, less
        those that a purge by ``purged`` deletes first; locks and changes nothing (a dry run)."""
        ...
