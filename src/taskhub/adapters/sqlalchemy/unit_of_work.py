"""The SQLAlchemy unit of work and repositories: one session, one transaction, per unit of work."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from types import TracebackType
from typing import Self, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from taskhub.adapters.sqlalchemy.errors import translated
from taskhub.adapters.sqlalchemy.tables import tasks, users
from taskhub.application.ports import Page, TaskFilter
from taskhub.domain.events import Event
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

    def list(self, page: int, page_size: int) -> Page[User]:
        query = select(User).order_by(users.c.date_joined, users.c.id)
        with translated(self._seen):
            total = self._session.scalar(select(func.count()).select_from(users)) or 0
            return _page(self._session, query, total, page, page_size)


class SqlTaskRepository:
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

    def due_for_relay(self, idle_since: datetime, now: datetime, limit: int) -> list[Task]:
        query = select(Task).where(_due(idle_since, now))
        query = query.order_by(tasks.c.updated_at, tasks.c.id).limit(limit)
        with translated(self._seen):
            due = list(self._session.scalars(query))
        self._seen.extend(due)
        return due

    def list(self, where: TaskFilter, page: int, page_size: int) -> Page[Task]:
        condition = _condition(where)
        query = select(Task).where(condition).order_by(tasks.c.created_at.desc(), tasks.c.id.desc())
        with translated(self._seen):
            total = self._session.scalar(select(func.count()).select_from(tasks).where(condition))
            return _page(self._session, query, total or 0, page, page_size)


def _page(session: Session, query: Select[Row], total: int, page: int, size: int) -> Page[Row]:
    """One page of ``query``. A page past the end is empty without asking the database, so no
    page number, however large, turns into an offset the database refuses."""
    offset = (page - 1) * size
    items = list(session.scalars(query.offset(offset).limit(size))) if offset < total else []
    return Page(items=items, total=total, page=page, page_size=size)


def _due(idle_since: datetime, now: datetime) -> ColumnElement[bool]:
    expired = and_(tasks.c.status == TaskStatus.PROCESSING, tasks.c.lease_expires_at <= now)
    return and_(
        tasks.c.updated_at <= idle_since, or_(tasks.c.status == TaskStatus.PENDING, expired)
    )


def _condition(where: TaskFilter) -> ColumnElement[bool]:
    wanted = {
        tasks.c.status: where.status,
        tasks.c.operation: where.operation,
        tasks.c.task_name: where.task_name,
        tasks.c.related_id: where.related_id,
    }
    return and_(True, *(column == value for column, value in wanted.items() if value is not None))


class SqlAlchemyUnitOfWork:
    """Commits or rolls back one session; errors arrive as the ports' errors, nothing half-saved."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> Self:
        self._session = self._session_factory()
        self._seen: list[User | Task] = []
        self._committed_events: list[Event] = []
        self.users = SqlUserRepository(self._session, self._seen)
        self.tasks = SqlTaskRepository(self._session, self._seen)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the session: what was not committed is rolled back in the database, and the
        entities it loaded stay readable (detached, not expired)."""
        self._session.close()

    def commit(self) -> None:
        with translated(self._seen):
            self._session.commit()
        for entity in self._seen:
            self._committed_events.extend(entity.events)
            entity.events.clear()

    def rollback(self) -> None:
        with translated(self._seen):
            self._session.rollback()
        for entity in self._seen:
            entity.events.clear()
        self._seen.clear()

    def collect_events(self) -> Iterable[Event]:
        events, self._committed_events = self._committed_events, []
        return events
