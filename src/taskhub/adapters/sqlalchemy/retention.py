"""Retention in SQL: each batch one statement over ``ix_tasks_operation_status_updated_at``.

On PostgreSQL every batch selects its rows ``FOR UPDATE SKIP LOCKED``: a purger never waits for
a row another transaction holds (another purger's batch, a submission releasing an expired key),
and nothing waits for it longer than its own short batch. A runner never meets it: it claims
and saves only tasks on their way, which no batch selects. SQLite locks no rows (it renders no
``FOR UPDATE``) and takes one writer at a time; a redaction that lost a race to another there
raises ``ConcurrentUpdate`` at its compare-and-set.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, delete, exists, func, not_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FromClause

from taskhub.adapters.sqlalchemy.errors import translated
from taskhub.adapters.sqlalchemy.tables import tasks
from taskhub.application.ports import Cutoff
from taskhub.domain.task import FINAL_STATUSES, Operation, Task, TaskName, TaskStatus
from taskhub.domain.user import User

FINISHED = sorted(FINAL_STATUSES)


def purgeable(cutoff: Cutoff) -> ColumnElement[bool]:
    """The tasks ``cutoff`` names: a range of the index on (operation, status, updated_at) for
    each operation and status, less those it keeps."""
    return and_(
        tasks.c.operation.in_(sorted(cutoff.operations)),
        tasks.c.status.in_(FINISHED),
        tasks.c.updated_at < cutoff.finished_before,
        or_(tasks.c.idempotency_key.is_(None), tasks.c.created_at <= cutoff.keys_before),
        not_(and_(_is_deletion(tasks), tasks.c.redacted_at.is_(None))),
    )


def purge_batch(cutoff: Cutoff, limit: int) -> Select[tuple[object]]:
    """The ids one purge batch deletes, skipping rows another transaction holds."""
    chosen = select(tasks.c.id).where(purgeable(cutoff)).limit(limit)
    return chosen.with_for_update(skip_locked=True)


def _is_deletion(table: FromClause) -> ColumnElement[bool]:
    """A user's deletion: its ``delete_user`` task, DONE."""
    return and_(table.c.task_name == TaskName.DELETE_USER, table.c.status == TaskStatus.DONE)


def _deleted_users(deleted_before: datetime) -> Select[tuple[object]]:
    """Users whose deletion finished before ``deleted_before`` and is not redacted yet."""
    deletion = tasks.alias("deletion")
    return select(deletion.c.related_id).where(
        deletion.c.operation == Operation.DELETE,
        _is_deletion(deletion),
        deletion.c.updated_at < deleted_before,
        deletion.c.redacted_at.is_(None),
    )


def _on_deleted_users(deleted_before: datetime) -> ColumnElement[bool]:
    return and_(
        tasks.c.related_table == "user", tasks.c.related_id.in_(_deleted_users(deleted_before))
    )


def _unredacted() -> ColumnElement[bool]:
    return and_(tasks.c.status.in_(FINISHED), tasks.c.redacted_at.is_(None))


def _ready_deletions(deleted_before: datetime) -> ColumnElement[bool]:
    """Deletions due whose user has no other task left unredacted, unfinished ones included."""
    other = tasks.alias("other")
    waiting = exists().where(
        other.c.related_table == tasks.c.related_table,
        other.c.related_id == tasks.c.related_id,
        other.c.id != tasks.c.id,
        other.c.redacted_at.is_(None),
    )
    return and_(_on_deleted_users(deleted_before), _is_deletion(tasks), not_(waiting))


class SqlTaskRetention:
    """``TaskRetention`` for ``SqlTaskRepository``, over its session."""

    _session: Session
    _seen: list[User | Task]

    def purge_finished(self, cutoff: Cutoff, limit: int) -> int:
        chosen = purge_batch(cutoff, limit)
        with translated(self._seen):
            result = self._session.execute(delete(tasks).where(tasks.c.id.in_(chosen)))
        return int(result.rowcount)  # type: ignore[attr-defined]

    def count_purgeable(self, cutoff: Cutoff) -> int:
        return self._count(purgeable(cutoff))

    def redactable(self, deleted_before: datetime, limit: int) -> Sequence[Task]:
        others = and_(_on_deleted_users(deleted_before), _unredacted(), not_(_is_deletion(tasks)))
        found = self._locked(others, limit)
        if len(found) < limit:
            found += self._locked(_ready_deletions(deleted_before), limit - len(found))
        return found

    def count_redactable(self, deleted_before: datetime, purged: Collection[Cutoff] = ()) -> int:
        spared = [not_(purgeable(cutoff)) for cutoff in purged]
        return self._count(and_(_on_deleted_users(deleted_before), _unredacted(), *spared))

    def _locked(self, where: ColumnElement[bool], limit: int) -> list[Task]:
        query = select(Task).where(where).limit(limit).with_for_update(skip_locked=True)
        with translated(self._seen):
            found = list(self._session.scalars(query))
        self._seen.extend(found)
        return found

    def _count(self, where: ColumnElement[bool]) -> int:
        with translated(self._seen):
            return self._session.scalar(select(func.count()).select_from(tasks).where(where)) or 0
