"""Retention: old finished tasks deleted, a deleted user's tasks redacted, in short transactions.

Each batch is its own unit of work of at most ``RetentionPolicy.batch`` tasks, so a purge never
holds many rows or a long transaction, and it can stop between any two batches (the periodic
purge does, after a few: ``application.housekeeping``). Tasks on their way are never touched
(``TaskRetention`` says how the stores keep that, and skip what others hold). Reads (``get_user``,
``list_users``) go sooner than the rest: each is a copy of users, up to 500 of them with their
personal fields, whose record says nothing about what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from taskhub.application.ports import Clock, ConcurrentUpdate, Cutoff, UnitOfWorkFactory
from taskhub.domain.errors import InvalidQuery
from taskhub.domain.task import Operation
from taskhub.domain.time import LONGEST_DURATION, format_duration, format_timestamp

READS = frozenset({Operation.READ})
WRITES = frozenset(Operation) - READS


@dataclass(frozen=True)
class RetentionPolicy:
    """How long finished tasks, reads, a deleted user's fields and idempotency keys are kept."""

    finished: timedelta = timedelta(days=30)
    reads: timedelta = timedelta(days=1)
    redact_after: timedelta = timedelta(days=1)
    key_ttl: timedelta = timedelta(hours=24)
    batch: int = 500


@dataclass(frozen=True)
class PurgeReport:
    """What a purge did (or, on a dry run, would do): ``purged`` counts every task deleted,
    ``purged_reads`` the reads among them. ``complete`` is false when it stopped at its batch
    budget with work left (the next periodic turn goes on)."""

    finished_before: datetime
    reads_finished_before: datetime
    deleted_before: datetime
    keys_before: datetime
    purged: int = 0
    purged_reads: int = 0
    redacted: int = 0
    dry_run: bool = False
    complete: bool = True

    @property
    def cutoffs(self) -> tuple[Cutoff, Cutoff]:
        """What it deletes: reads, then the rest (``Cutoff``)."""
        return (
            Cutoff(READS, self.reads_finished_before, self.keys_before),
            Cutoff(WRITES, self.finished_before, self.keys_before),
        )

    def to_dict(self) -> dict[str, Any]:
        moments = ("finished_before", "reads_finished_before", "deleted_before", "keys_before")
        data = asdict(self)
        return {**data, **{name: format_timestamp(data[name]) for name in moments}}


@dataclass
class Budget:
    """How many batches a purge may still run (``None``: as many as it takes)."""

    batches: int | None = None
    exhausted: bool = field(default=False, init=False)

    def take(self) -> bool:
        """Spend one batch if any is left; else note that the purge stops with work left."""
        if self.batches is None:
            return True
        if self.batches <= 0:
            self.exhausted = True
            return False
        self.batches -= 1
        return True


@dataclass(frozen=True)
class Retention:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    policy: RetentionPolicy = RetentionPolicy()

    def purge(
        self,
        older_than: timedelta | None = None,
        dry_run: bool = False,
        max_batches: int | None = None,
    ) -> PurgeReport:
        """Delete the tasks that finished longer ago than ``older_than`` (default: the policy's),
        reads at the shorter of that and their own retention; then redact the tasks of users
        deleted longer ago than ``redact_after``. ``dry_run`` counts and changes nothing;
        ``max_batches`` bounds the batches (the report then says whether it finished)."""
        report = self._cutoffs(older_than, dry_run)
        return self._counted(report) if dry_run else self._done(report, Budget(max_batches))

    def _cutoffs(self, older_than: timedelta | None, dry_run: bool) -> PurgeReport:
        now = self.clock.now()
        kept = older_than if older_than is not None else self.policy.finished
        if not timedelta(0) < kept <= LONGEST_DURATION:
            longest = format_duration(LONGEST_DURATION)
            raise InvalidQuery(
                {"older_than": [f"Must be a positive duration of at most {longest}."]}
            )
        return PurgeReport(
            finished_before=now - kept,
            reads_finished_before=now - min(kept, self.policy.reads),
            deleted_before=now - self.policy.redact_after,
            keys_before=now - self.policy.key_ttl,
            dry_run=dry_run,
        )

    def _done(self, report: PurgeReport, budget: Budget) -> PurgeReport:
        """Reads first, then the rest, then redaction: what a purge deletes it need not redact."""
        of_reads, of_writes = report.cutoffs
        reads = self._in_batches(lambda: self._delete(of_reads), budget)
        writes = self._in_batches(lambda: self._delete(of_writes), budget)
        redacted = self._in_batches(lambda: self._redact(report.deleted_before), budget)
        return replace(
            report,
            purged=reads + writes,
            purged_reads=reads,
            redacted=redacted,
            complete=not budget.exhausted,
        )

    def _counted(self, report: PurgeReport) -> PurgeReport:
        with self.uow_factory() as uow:
            reads, writes = (uow.tasks.count_purgeable(cutoff) for cutoff in report.cutoffs)
            redacted = uow.tasks.count_redactable(report.deleted_before, report.cutoffs)
        return replace(report, purged=reads + writes, purged_reads=reads, redacted=redacted)

    def _in_batches(self, batch: Callable[[], int | None], budget: Budget) -> int:
        """Run ``batch`` (``None``: it lost a race to another purger, so look again) until one
        finds nothing or the budget runs out; the total it handled. Not until one comes back
        short: a user's deletion is redactable only once its other tasks' redaction committed,
        so it comes in the batch after theirs."""
        total = 0
        while budget.take():
            handled = batch()
            if handled == 0:
                break
            total += handled or 0
        return total

    def _delete(self, cutoff: Cutoff) -> int:
        with self.uow_factory() as uow:
            deleted = uow.tasks.purge_finished(cutoff, self.policy.batch)
            uow.commit()
        return deleted

    def _redact(self, deleted_before: datetime) -> int | None:
        now = self.clock.now()
        try:
            with self.uow_factory() as uow:
                found = uow.tasks.redactable(deleted_before, self.policy.batch)
                fresh = [task for task in found if task.redacted_at is None]
                for task in fresh:  # one another purger redacted as this looked is not counted
                    task.redact(now)
                uow.commit()
        except ConcurrentUpdate:  # another purger redacted some first (SQLite and memory lock no
            return None  # rows): look again
        return len(fresh)
