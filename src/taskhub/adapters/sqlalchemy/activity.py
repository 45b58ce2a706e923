"""The overview's counts in SQL: one grouped statement each.

Finished tasks are found by ``ix_tasks_operation_status_updated_at`` (a finished task's
``updated_at`` is when it finished), and minutes are cut in the database, in its own words:
``date_trunc`` on PostgreSQL, ``strftime`` on SQLite (whose timestamps are UTC text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from taskhub.adapters.sqlalchemy.errors import translated
from taskhub.adapters.sqlalchemy.tables import tasks
from taskhub.application.ports import MinuteCount
from taskhub.domain.task import FINAL_STATUSES, Operation, Task, TaskStatus
from taskhub.domain.user import User


class SqlTaskActivity:
    """``TaskActivity`` for ``SqlTaskRepository``, over its session."""

    _session: Session
    _seen: list[User | Task]

    def count_by_status(self) -> Mapping[TaskStatus, int]:
        query = select(tasks.c.status, func.count()).group_by(tasks.c.status)
        with translated(self._seen):
            return {TaskStatus(status): count for status, count in self._session.execute(query)}

    def finished_per_minute(self, since: datetime) -> Sequence[MinuteCount]:
        minute = self._minute_of(tasks.c.updated_at).label("minute")
        query = (
            select(minute, tasks.c.status, func.count())
            .where(
                tasks.c.operation.in_(sorted(Operation)),  # the index's first column: all of it
                tasks.c.status.in_(sorted(FINAL_STATUSES)),
                tasks.c.updated_at >= since,
            )
            .group_by(minute, tasks.c.status)
            .order_by(minute, tasks.c.status)
        )
        with translated(self._seen):
            rows = self._session.execute(query).all()
        return [MinuteCount(_moment(at), TaskStatus(status), count) for at, status, count in rows]

    def _minute_of(self, column: ColumnElement[datetime]) -> ColumnElement[object]:
        if self._session.get_bind().dialect.name == "postgresql":
            return func.date_trunc("minute", column)
        return func.strftime("%Y-%m-%d %H:%M:00", column)


def _moment(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite's text, in UTC
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC)
