"""The SQLAlchemy unit of work: one session, one transaction, per unit of work.

One made ``read_only`` reads on a connection in autocommit instead, on PostgreSQL: psycopg2
then sends no BEGIN and, at the end, no ROLLBACK, so a status poll is one round trip (its
SELECT) where it was three. pysqlite already reads outside any transaction (``engine``), so
SQLite needs nothing. Either way nothing autoflushes, and a statement that would write raises
before it is sent: in autocommit it would have been saved at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from taskhub.adapters.sqlalchemy.administrators import SqlAdministratorRepository
from taskhub.adapters.sqlalchemy.api_tokens import SqlApiTokenRepository
from taskhub.adapters.sqlalchemy.claims import SqlTaskClaims
from taskhub.adapters.sqlalchemy.errors import UNAVAILABLE, translated
from taskhub.adapters.sqlalchemy.repositories import SqlTaskRepository, SqlUserRepository
from taskhub.adapters.sqlalchemy.sessions import READING, UnitOfWorkSession
from taskhub.adapters.sqlalchemy.workers import SqlWorkerRegistry
from taskhub.application.unit_of_work import BaseUnitOfWork
from taskhub.domain.administrator import Administrator
from taskhub.domain.task import Task
from taskhub.domain.user import User


class SqlAlchemyUnitOfWork(BaseUnitOfWork):
    """One session per unit of work; errors arrive as the ports' errors, nothing half-saved."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory

    def _begin(self) -> None:
        self._session = self._session_factory()
        self._seen: list[User | Task] = []
        self.users = SqlUserRepository(self._session, self._seen)
        self.tasks = SqlTaskRepository(self._session, self._seen)
        self.claims = SqlTaskClaims(self._session, self._seen)
        self._accounts: list[Administrator] = []
        self.administrators = SqlAdministratorRepository(self._session, self._accounts)
        self.api_tokens = SqlApiTokenRepository(self._session, [])
        self.workers = SqlWorkerRegistry(self._session)
        if not isinstance(self._session, UnitOfWorkSession):
            raise TypeError("A unit of work needs sessions from store.session_factory.")
        if self._reading_only:
            self._read_outside_transactions()

    def _read_outside_transactions(self) -> None:
        self._session.autoflush = False  # a change waits for ``commit``, which refuses it
        self._session.info[READING] = True  # statements other than SELECT refused (``sessions``)
        if self._session.get_bind().dialect.name != "sqlite":
            with translated(self._seen):  # connecting now: the store may be down
                self._session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    def _flush(self) -> None:
        with translated([*self._seen, *self._accounts]):
            self._session.flush()

    def _save(self) -> None:
        with translated([*self._seen, *self._accounts]):
            self._session.commit()

    def _discard(self) -> None:
        """Close the session: the database rolls back what was not committed, and the entities
        it loaded are detached with their values (a session rollback would expire them, and an
        expired detached entity can no longer be read). A connection that died meanwhile cannot
        roll back, and need not (its server ended the transaction): it is dropped instead, so
        that leaving the block raises what made it leave (an outage met on another connection,
        say), not the dead connection's ROLLBACK."""
        try:
            self._session.close()
        except UNAVAILABLE:
            self._session.invalidate()
        self._seen.clear()
        self._accounts.clear()

    def _touched(self) -> Iterable[User | Task]:
        return self._seen
