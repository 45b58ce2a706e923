"""Engines from URLs: pooled PostgreSQL through psycopg2, or an embedded SQLite file."""

from __future__ import annotations

import os
import select
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError

# libpq's TCP keepalives: a pooled connection whose server vanished without closing it (a host
# gone, a network cut) is found dead by the kernel within about a minute, and then reads as
# closed at its next checkout (``_reconnect_if_closed``).
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run beside the writer; a busy timeout queues writers instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _closed_by_server(dbapi_connection: Any) -> bool:
    """Whether the server has closed this idle connection, asked of the socket, not the server.

    An idle pooled connection has nothing to read until the server ends it: a restart or a
    terminated backend sends its last message and closes, a keepalive that failed leaves an
    error; either way the socket polls readable (or hung up) at once, with no round trip.
    """
    if dbapi_connection.closed:
        return True
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def _reconnect_if_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """SQLAlchemy's pessimistic disconnect handling (a ``checkout`` listener raising
    ``DisconnectionError``, on which the pool connects afresh), at the cost of a ``poll()``
    instead of ``pool_pre_ping``'s ``SELECT 1``: a third of a status read's CPU (issue 14)."""
    if _closed_by_server(dbapi_connection):
        raise DisconnectionError("The server closed this pooled connection; connecting again.")


def _session_limits(statement_timeout: float, lock_timeout: float) -> str:
    """PostgreSQL's per-session time limits as libpq ``options`` (milliseconds; 0 is none)."""
    limits = {"statement_timeout": statement_timeout, "lock_timeout": lock_timeout}
    return " ".join(f"-c {name}={round(seconds * 1000)}" for name, seconds in limits.items())


def _driver_begins_nothing(dbapi_connection: Any, _record: Any) -> None:
    """pysqlite's legacy mode begins no transaction before DDL, so each CREATE or ALTER would
    commit on its own; with ``isolation_level = None`` it begins none at all, and ``_begin``
    (SQLAlchemy's documented recipe for transactional DDL on pysqlite) begins the one we want."""
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: Connection) -> None:
    """Take the write lock at the start: no other writer can slip in between a read and a write."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _dispose_after_fork(engine: Engine) -> None:
    """A forked child must not reuse its parent's connections (SQLAlchemy's documented recipe)."""
    ref = weakref.ref(engine)

    def dispose() -> None:
        if (alive := ref()) is not None:
            alive.dispose(close=False)

    os.register_at_fork(after_in_child=dispose)


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (``None`` for another database, or SQLite in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def build_engine(
    url: str | URL,
    pool_size: int = 5,
    max_overflow: int = 10,
    connect_timeout: int = 5,
    statement_timeout: float = 0,
    lock_timeout: float = 0,
    *,
    transactional_ddl: bool = False,
) -> Engine:
    """An engine for ``url``; nothing connects until the first unit of work needs to.

    A SQLite file's directory must exist (``taskhub.bootstrap`` creates the embedded default's).
    On PostgreSQL, ``statement_timeout`` and ``lock_timeout`` (seconds, 0 for none) bound every
    statement and every lock wait of the engine's sessions, so a runner stuck behind a lock ends
    its task instead of holding its slot; migrations use an engine without them.
    ``transactional_ddl`` makes every transaction on SQLite a real one, schema changes included,
    begun ``IMMEDIATE``: what a migration needs. Units of work do not ask for it: their writes are
    guarded by compare-and-set and constraints, and pysqlite's default keeps their reads outside
    any transaction, so readers never fail a writer with ``SQLITE_BUSY`` (design/persistence.md).
    """
    parsed = make_url(url)
    if parsed.drivername == "postgresql":  # SQLAlchemy 2.1 would pick psycopg 3; ours is psycopg2
        parsed = parsed.set(drivername="postgresql+psycopg2")
    backend = parsed.get_backend_name()
    # Statement parameters stay out of error messages, where they would carry personal fields
    # and password hashes into logs.
    options: dict[str, Any] = {"hide_parameters": True}
    if backend == "postgresql":
        options |= {
            "pool_size": pool_size,
            "max_overflow": max_overflow,
            "pool_timeout": connect_timeout,
            "connect_args": {
                "connect_timeout": connect_timeout,
                "options": _session_limits(statement_timeout, lock_timeout),
                **KEEPALIVES,
            },
        }
    elif backend == "sqlite":
        options["connect_args"] = {"timeout": 30, "check_same_thread": False}
    engine = create_engine(parsed, **options)
    if backend == "postgresql":
        event.listen(engine, "checkout", _reconnect_if_closed)
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if transactional_ddl:
            event.listen(engine, "connect", _driver_begins_nothing)
            event.listen(engine, "begin", _begin_immediate)
    _dispose_after_fork(engine)
    return engine
