"""The SQL repository of administrators, read and written through one unit of work's session."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from taskhub.adapters.sqlalchemy.errors import translated
from taskhub.adapters.sqlalchemy.tables import administrators
from taskhub.domain.administrator import Administrator


class SqlAdministratorRepository:
    def __init__(self, session: Session, seen: list[Administrator]) -> None:
        self._session, self._seen = session, seen

    def add(self, administrator: Administrator) -> None:
        self._session.add(administrator)
        self._seen.append(administrator)

    def get_by_username(self, username: str) -> Administrator | None:
        query = select(Administrator).where(administrators.c.username == username)
        with translated(self._seen):
            found = self._session.scalar(query)
        if found is not None:
            self._seen.append(found)
        return found

    def list(self) -> Sequence[Administrator]:
        query = select(Administrator).order_by(administrators.c.created_at, administrators.c.id)
        with translated(self._seen):
            return list(self._session.scalars(query))
