"""The worker registry in SQL: one row per process, updated in place by its own notes.

A process alone writes its row, so a note is an UPDATE, and an INSERT only the first time
(when the UPDATE found no row): no upsert syntax, the same statements on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from taskhub.adapters.sqlalchemy.errors import translated
from taskhub.adapters.sqlalchemy.tables import workers
from taskhub.application.ports import Sighting


class SqlWorkerRegistry:
    def __init__(self, session: Session) -> None:
        self._session = session

    def note(self, sighting: Sighting) -> None:
        values = asdict(sighting)
        with translated([]):
            found = self._session.execute(
                update(workers).where(workers.c.name == sighting.name).values(values)
            )
            if not found.rowcount:  # type: ignore[attr-defined]
                self._session.execute(insert(workers).values(values))

    def seen_since(self, moment: datetime) -> Sequence[Sighting]:
        query = (
            select(workers)
            .where(workers.c.last_seen_at >= moment)
            .order_by(workers.c.last_seen_at.desc(), workers.c.name.desc())
        )
        with translated([]):
            return [Sighting(**row._mapping) for row in self._session.execute(query)]

    def forget_before(self, moment: datetime) -> None:
        with translated([]):
            self._session.execute(delete(workers).where(workers.c.last_seen_at < moment))
