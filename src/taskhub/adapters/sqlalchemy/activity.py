"""The overview's counts in SQL: one grouped statement each.

Finished tasks are found by ``ix_tasks_operation_status_updated_at`` (a finished task's
``updated_at`` is when it finished), and minutes are cut in the database, in its own words:
``date_trunc`` on PostgreSQL, ``strftime`` on SQLite (whose timestamps are UTC text).

Counting by status reads every task. On PostgreSQL a status the planner's statistics put above
``exact_up_to`` tasks is estimated instead, as the planner would: its share of the sampled rows
(``pg_stats``) times the rows the table holds now (the rows per page of the last ``ANALYZE``
times the pages it has now). The other statuses are counted on ``ix_tasks_status_created_at_id``,
which reads only their rows. SQLite keeps no such statistics and counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Select, func, select, text
from sqlalchemy.orm import Session

from taskhub.adapters.sqlalchemy.errors import translated
from taskhub.adapters.sqlalchemy.tables import tasks
from taskhub.application.ports import EXACT_UP_TO, MinuteCount, StatusCounts
from taskhub.domain.task import FINAL_STATUSES, Operation, Task, TaskStatus
from taskhub.domain.user import User


class SqlTaskActivity:
    """``TaskActivity`` for ``SqlTaskRepository``, over its session."""

    _session: Session
    _seen: list[User | Task]

    def count_by_status(self, exact_up_to: int = EXACT_UP_TO) -> StatusCounts:
        with translated(self._seen):
            estimates = self._estimates() if self._dialect == "postgresql" else {}
            large = {status for status, rows in estimates.items() if rows > exact_up_to}
            query = status_count_query(set(TaskStatus) - large if large else None)
            counted = {TaskStatus(s): n for s, n in self._session.execute(query)}
        return StatusCounts({**counted, **{s: estimates[s] for s in large}}, estimated=large)

    def _estimates(self) -> Mapping[TaskStatus, int]:
        """The planner's estimate of each status's tasks (none before the first ``ANALYZE``)."""
        row = self._session.execute(ESTIMATES).one_or_none()
        if row is None or row.rows is None or row.statuses is None:
            return {}
        shares = zip(row.statuses, row.shares, strict=True)
        return {TaskStatus(s): round(row.rows * share) for s, share in shares if s in STATUSES}

    @property
    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name

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
        if self._dialect == "postgresql":
            return func.date_trunc("minute", column)
        return func.strftime("%Y-%m-%d %H:%M:00", column)


def status_count_query(only: set[TaskStatus] | None) -> Select[str, int]:
    """Tasks counted by status; of ``only`` these statuses, if given (a range of the status
    index each, rather than the whole table)."""
    query = select(tasks.c.status, func.count()).group_by(tasks.c.status)
    return query if only is None else query.where(tasks.c.status.in_(sorted(only)))


STATUSES = {status.value for status in TaskStatus}
# reltuples is -1 (and relpages 0) until the table's first ANALYZE: no estimate then.
ESTIMATES = text("""
SELECT CASE WHEN c.relpages > 0 AND c.reltuples >= 0
            THEN c.reltuples / c.relpages
                 * (pg_relation_size(c.oid) / current_setting('block_size')::int)
       END AS rows,
       s.most_common_vals::text::text[] AS statuses,
       s.most_common_freqs AS shares
FROM pg_class c
JOIN pg_stats s ON s.schemaname = c.relnamespace::regnamespace::text
               AND s.tablename = c.relname AND s.attname = 'status'
WHERE c.oid = 'tasks'::regclass
""")


def _moment(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite's text, in UTC
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC)
