"""Opening a SQL store: the engine, and sessions that open only on a schema that is ready."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.adapters.sqlalchemy.schema import Schema
from taskhub.adapters.sqlalchemy.sessions import UnitOfWorkSession


def open_engine(
    url: str,
    pool_size: int,
    max_overflow: int,
    connect_timeout: int,
    statement_timeout: float = 0,
    lock_timeout: float = 0,
) -> Iterator[Engine]:
    """The engine as a resource, disposed at shutdown. Building it connects to nothing."""
    engine = build_engine(
        url, pool_size, max_overflow, connect_timeout, statement_timeout, lock_timeout
    )
    yield engine
    engine.dispose()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit: entities outlive their unit of work."""
    return sessionmaker(bind=engine, expire_on_commit=False, class_=UnitOfWorkSession)


class ReadySessions:
    """Sessions, each opened once ``schema`` is ready: a unit of work never meets a schema that
    is behind (it gets ``SchemaNotReady`` or ``StoreUnavailable``, never a missing column)."""

    def __init__(self, sessions: sessionmaker[Session], schema: Schema) -> None:
        self._sessions, self._schema = sessions, schema

    def __call__(self) -> Session:
        self._schema.ensure_ready()
        return self._sessions()
