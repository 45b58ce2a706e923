"""The SQL repositories: users and tasks read and written through one unit of work's session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select, tuple_, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from taskhub.adapters.sqlalchemy.activity import SqlTaskActivity
from taskhub.adapters.sqlalchemy.errors import translated
from taskhub.adapters.sqlalchemy.retention import SqlTaskRetention
from taskhub.adapters.sqlalchemy.tables import tasks, users
from taskhub.application.paging import Position
from taskhub.application.ports import Backlog, NumberedPage, TaskFilter, UserQuery
from taskhub.application.ports.browsing import SEARCHED
from taskhub.domain.task import Task, TaskStatus
from taskhub.domain.user import User

Row = TypeVar("Row", User, Task)


class SqlUserRepository:
    def __init__(self, session: Session, seen: list[User | Task]) -> None:
        self._session, self._seen = session, seen

    def add(self, user: User) -> None:
        self._session.add(user)
        self._seen.append(user)

    def get(self, user_id: UUID) -> User | None:
        with translated(self._seen):
            user = self._session.get(User, user_id)
        if user is None or user in self._session.deleted:
            return None
        self._seen.append(user)
        return user

    def remove(self, user: User) -> None:
        self._session.delete(user)

    def list(self, after: Position | None, limit: int) -> Sequence[User]:
        with translated(self._seen):
            return list(self._session.scalars(user_list_query(after, limit)))

    def count(self) -> int:
        with translated(self._seen):
            return self._session.scalar(select(func.count()).select_from(users)) or 0

    def browse(self, query: UserQuery, page: int, page_size: int) -> NumberedPage[User]:
        # ILIKE on PostgreSQL, lower() LIKE lower() on SQLite (ASCII letters only); a % or _
        # in the term is matched as itself (autoescape).
        term = query.search
        found = or_(*(users.c[name].icontains(term, autoescape=True) for name in SEARCHED))
        condition = found if term else and_(True)
        column, ids = users.c[query.field], users.c.id
        order = (column.desc(), ids.desc()) if query.descending else (column, ids)
        select_users = select(User).where(condition).order_by(*order)
        with translated(self._seen):
            total = self._session.scalar(select(func.count()).select_from(users).where(condition))
            return _numbered_page(self._session, select_users, total or 0, page, page_size)


class SqlTaskRepository(SqlTaskRetention, SqlTaskActivity):
    def __init__(self, session: Session, seen: list[User | Task]) -> None:
        self._session, self._seen = session, seen

    def add(self, task: Task) -> None:
        self._session.add(task)
        self._seen.append(task)

    def get(self, task_id: UUID) -> Task | None:
        with translated(self._seen):
            task = self._session.get(Task, task_id)
        if task is not None:
            self._seen.append(task)
        return task

    def get_by_idempotency_key(self, key: str) -> Task | None:
        with translated(self._seen):
            task = self._session.scalar(select(Task).where(tasks.c.idempotency_key == key))
        if task is not None:
            self._seen.append(task)
        return task

    def backlog(self) -> Backlog:
        waiting = (TaskStatus.PENDING, TaskStatus.PROCESSING)
        query = (
            select(tasks.c.status, func.count(), func.min(tasks.c.created_at))
            .where(tasks.c.status.in_(waiting))
            .group_by(tasks.c.status)
        )
        with translated(self._seen):
            rows = {
                status: (count, oldest) for status, count, oldest in self._session.execute(query)
            }
        pending, oldest = rows.get(TaskStatus.PENDING, (0, None))
        return Backlog(pending, rows.get(TaskStatus.PROCESSING, (0, None))[0], oldest)

    def due_for_relay(
        self, now: datetime, idle: timedelta, limit: int, ignore_backoff: bool = False
    ) -> list[Task]:
        query = select(Task).where(_due(now, idle, ignore_backoff))
        orphans_first = case((tasks.c.status == TaskStatus.PROCESSING, 0), else_=1)
        query = query.order_by(orphans_first, tasks.c.updated_at, tasks.c.id).limit(limit)
        with translated(self._seen):
            due = list(self._session.scalars(query))
        self._seen.extend(due)
        return due

    def record_redispatch(self, task: Task, relay_after: datetime) -> bool:
        still_as_loaded = and_(
            tasks.c.id == task.id,
            tasks.c.version == task.version,
            tasks.c.redispatches == task.redispatches,
        )
        noted = {"redispatches": tasks.c.redispatches + 1, "relay_after": relay_after}
        return self._update_in_place(still_as_loaded, noted)

    def save_cancel_request(self, task: Task) -> bool:
        running = and_(tasks.c.id == task.id, tasks.c.status == TaskStatus.PROCESSING)
        column = tasks.c.cancel_requested_at
        marked = func.coalesce(column, literal(task.cancel_requested_at, column.type))
        set_committed_value(task, "cancel_requested_at", task.cancel_requested_at)  # as stored
        return self._update_in_place(running, {"cancel_requested_at": marked})

    def renew_lease(self, task_id: UUID, attempt: int, until: datetime) -> bool:
        held = and_(
            tasks.c.id == task_id,
            tasks.c.attempt == attempt,
            tasks.c.status == TaskStatus.PROCESSING,
        )
        return self._update_in_place(held, {"lease_expires_at": until})

    def _update_in_place(self, where: ColumnElement[bool], values: dict[str, Any]) -> bool:
        """One UPDATE beside the ORM's saves: it leaves the version alone (see the port)."""
        with translated(self._seen):
            result = self._session.execute(update(tasks).where(where).values(values))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def list(self, where: TaskFilter, after: Position | None, limit: int) -> Sequence[Task]:
        with translated(self._seen):
            return list(self._session.scalars(task_list_query(where, after, limit)))

    def count(self, where: TaskFilter) -> int:
        query = select(func.count()).select_from(tasks).where(_condition(where))
        with translated(self._seen):
            return self._session.scalar(query) or 0


def task_list_query(where: TaskFilter, after: Position | None, limit: int) -> Select[Task]:
    """The task list's page: newest first, after ``after``. The position is a row value, which
    an index ending in (created_at, id) serves as a range read backwards; the same test spelled
    with OR is a filter over every row before it."""
    key = tuple_(tasks.c.created_at, tasks.c.id)
    query = select(Task).where(_condition(where))
    if after is not None:
        query = query.where(key < (after.at, after.id))
    return query.order_by(tasks.c.created_at.desc(), tasks.c.id.desc()).limit(limit)


def user_list_query(after: Position | None, limit: int) -> Select[User]:
    """The user list's page (by date joined, then id), after ``after``: a range of the index on
    (date_joined, id), as ``task_list_query``'s."""
    key = tuple_(users.c.date_joined, users.c.id)
    query = select(User)
    if after is not None:
        query = query.where(key > (after.at, after.id))
    return query.order_by(*key).limit(limit)


def _numbered_page(
    session: Session, query: Select[Row], total: int, page: int, size: int
) -> NumberedPage[Row]:
    """One numbered page of ``query``. A page past the end is empty without asking the
    database, so no page number, however large, turns into an offset the database refuses."""
    offset = (page - 1) * size
    items = list(session.scalars(query.offset(offset).limit(size))) if offset < total else []
    return NumberedPage(items=items, total=total, page=page, page_size=size)


def _due(now: datetime, idle: timedelta, ignore_backoff: bool) -> ColumnElement[bool]:
    """``Task.due_for_relay`` in SQL."""
    expired = and_(tasks.c.status == TaskStatus.PROCESSING, tasks.c.lease_expires_at <= now)
    idled = tasks.c.updated_at <= now - idle
    waited = (
        idled
        if ignore_backoff
        else or_(and_(tasks.c.relay_after.is_(None), idled), tasks.c.relay_after <= now)
    )
    return and_(or_(tasks.c.status == TaskStatus.PENDING, expired), waited)


def _condition(where: TaskFilter) -> ColumnElement[bool]:
    wanted = {
        tasks.c.status: where.status,
        tasks.c.operation: where.operation,
        tasks.c.task_name: where.task_name,
        tasks.c.related_id: where.related_id,
    }
    matching = [column == value for column, value in wanted.items() if value is not None]
    if where.created_after is not None:
        matching.append(tasks.c.created_at >= where.created_after)
    if where.created_before is not None:
        matching.append(tasks.c.created_at < where.created_before)
    return and_(True, *matching)
