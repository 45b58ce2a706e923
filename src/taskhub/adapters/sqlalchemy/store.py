"""Opening a SQL store: the engine, migrated where taskhub owns the database, and its sessions."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from taskhub.adapters.sqlalchemy import migrate
from taskhub.adapters.sqlalchemy.engine import build_engine

log = logging.getLogger(__name__)


def open_engine(
    url: str,
    pool_size: int,
    max_overflow: int,
    connect_timeout: int,
    statement_timeout: float = 0,
    lock_timeout: float = 0,
) -> Iterator[Engine]:
    """The engine as a resource: an embedded SQLite file is created and migrated on first use;
    a PostgreSQL database is migrated by its operator (``taskhub db upgrade``)."""
    parsed = make_url(url)
    engine = build_engine(
        url, pool_size, max_overflow, connect_timeout, statement_timeout, lock_timeout
    )
    if parsed.get_backend_name() == "sqlite":
        migrate.upgrade(engine)
        log.info("SQLite database %s is at revision %s", parsed.database, migrate.head_revision())
    yield engine
    engine.dispose()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit: entities outlive their unit of work."""
    return sessionmaker(bind=engine, expire_on_commit=False)
