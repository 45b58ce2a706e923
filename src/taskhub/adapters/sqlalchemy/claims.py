"""A runner's claims in SQL: each one ``UPDATE … RETURNING`` on the tasks table, beside the ORM.

The ORM's save of a task is a SELECT, then an UPDATE under ``version_id_col``; these are the
same compare-and-set in one statement (PostgreSQL, and SQLite from 3.35), moving the version as
the ORM does, so each side's save fails over the other's. The row lock the UPDATE takes holds
until commit, so a claim and a save never interleave. What the session had loaded of the task
before is stale after one: expired if unchanged (read again on use), else left to fail its own
compare-and-set, as after any concurrent change.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Update, and_, bindparam, case, or_, select, update
from sqlalchemy.orm import Session

from taskhub.adapters.sqlalchemy.errors import translated
from taskhub.adapters.sqlalchemy.tables import tasks
from taskhub.domain.events import TaskProgressed, TaskStarted
from taskhub.domain.task import Task, TaskStatus

c = tasks.c
# What other writers update in place, read back after a runner's save.
IN_PLACE = (c.cancel_requested_at, c.redispatches, c.relay_after, c.lease_expires_at)


def _claim_statement() -> Update:
    """The claim: ``claimable_at_once`` (``application.ports.claims``) in SQL as its WHERE, and
    ``Task.start`` with ``Task.report_progress`` as its SET, which reads the old row's attempt
    (0: a first claim, which reports the progress). Built once: its parameters are bound."""
    now = bindparam("claim_now", type_=c.updated_at.type)
    progress = bindparam("claim_progress", type_=c.progress.type)
    first, again = c.attempt == 0, c.attempt > 0
    expired = and_(c.status == TaskStatus.PROCESSING, c.lease_expires_at <= now)
    claimable = and_(
        c.id == bindparam("claim_id", type_=c.id.type),
        or_(c.status == TaskStatus.PENDING, expired),
        c.cancel_requested_at.is_(None),
        c.attempt < bindparam("claim_max_attempts", type_=c.attempt.type),
        or_(and_(first, c.progress < progress), and_(again, c.progress >= progress)),
    )
    reported = bindparam("claim_result", type_=c.result.type)
    started = {
        "status": TaskStatus.PROCESSING,
        "attempt": c.attempt + 1,
        "lease_expires_at": bindparam("claim_lease_until", type_=c.lease_expires_at.type),
        "redispatches": 0,
        "relay_after": None,
        "progress": case((first, progress), else_=c.progress),
        "result": case((first, reported), else_=c.result),
        "updated_at": now,
        "version": c.version + 1,
    }
    return update(tasks).where(claimable).values(started).returning(*c)


def _save_statement() -> Update:
    """A runner's save over its claim, as it last saved it. Built once: parameters bound."""
    held = and_(
        c.id == bindparam("held_id", type_=c.id.type),
        c.attempt == bindparam("held_attempt", type_=c.attempt.type),
        c.version == bindparam("held_version", type_=c.version.type),
        c.status == TaskStatus.PROCESSING,
    )
    written = {
        name: bindparam(f"new_{name}", type_=c[name].type)
        for name in ("status", "progress", "result", "updated_at")
    }
    return (
        update(tasks).where(held).values({**written, "version": c.version + 1}).returning(*IN_PLACE)
    )


CLAIM = _claim_statement()
SAVE = _save_statement()
FINISH = SAVE.values(lease_expires_at=None)
CANCEL_REQUESTED = select(c.cancel_requested_at).where(c.id == bindparam("task_id"))


class SqlTaskClaims:
    def __init__(self, session: Session, seen: list[Any]) -> None:
        self._session, self._seen = session, seen

    def claim(
        self, task_id: UUID, now: datetime, lease: timedelta, progress: int, max_attempts: int
    ) -> Task | None:
        bound = {
            "claim_id": task_id,
            "claim_now": now,
            "claim_lease_until": now + lease,
            "claim_progress": progress,
            "claim_result": {"progress": progress},
            "claim_max_attempts": max_attempts,
        }
        row = self._returning(task_id, CLAIM, bound)
        if row is None:
            return None
        task = Task(**row._asdict())
        # What ``Task.start`` and ``Task.report_progress`` record; a first claim reported.
        task.events.append(TaskStarted(task_id=task.id, attempt=task.attempt))
        if task.attempt == 1:
            task.events.append(TaskProgressed(task_id=task.id, progress=task.progress))
        self._seen.append(task)
        return task

    def save_claimed(self, task: Task) -> bool:
        bound = {
            "held_id": task.id,
            "held_attempt": task.attempt,
            "held_version": task.version,
            "new_status": task.status,
            "new_progress": task.progress,
            "new_result": task.result,
            "new_updated_at": task.updated_at,
        }
        row = self._returning(task.id, FINISH if task.is_finished else SAVE, bound)
        if row is None:
            return False
        task.version += 1
        for name, value in row._asdict().items():
            setattr(task, name, value)
        self._seen.append(task)
        return True

    def cancel_requested(self, task_id: UUID) -> bool:
        with translated(self._seen):
            marked = self._session.scalar(CANCEL_REQUESTED, {"task_id": task_id})
        return marked is not None

    def _returning(self, task_id: UUID, statement: Update, bound: dict[str, Any]) -> Any:
        """The row the UPDATE of the task changed, if it changed it; what the session had loaded
        of the task is stale then (see the module)."""
        with translated(self._seen):
            row = self._session.execute(statement, bound).one_or_none()
        stale = self._session.identity_map.get(self._session.identity_key(Task, task_id))
        if row is not None and stale is not None and not self._session.is_modified(stale):
            self._session.expire(stale)
        return row
