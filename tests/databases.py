"""Throwaway databases on the machine's PostgreSQL, so tests can run repeatedly and in any order."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg2
from psycopg2 import sql

SERVER = os.environ.get("TEST_POSTGRES_SERVER", "postgresql+psycopg2://postgres@127.0.0.1:5432")


def _admin() -> psycopg2.extensions.connection:
    host_part = SERVER.split("://", 1)[1]
    user, _, address = host_part.rpartition("@")
    host, _, port = address.partition(":")
    try:
        connection = psycopg2.connect(
            host=host, port=int(port or 5432), user=user or "postgres", dbname="postgres",
            connect_timeout=5,
        )  # fmt: skip
    except psycopg2.OperationalError as error:
        raise RuntimeError(
            f"PostgreSQL is needed at {SERVER} (start it with scripts/services): {error}"
        ) from error
    connection.autocommit = True
    return connection


@contextmanager
def throwaway_postgres_database(prefix: str = "taskhub_test") -> Iterator[str]:
    """A new empty database, dropped afterwards; yields its SQLAlchemy URL."""
    with postgres_database_made_later(prefix) as (url, make):
        make()
        yield url


@contextmanager
def postgres_database_made_later(
    prefix: str = "taskhub_test",
) -> Iterator[tuple[str, Callable[[], None]]]:
    """The URL of a database that does not exist until the test calls ``make``; dropped after."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _admin()

    def make() -> None:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    try:
        yield f"{SERVER}/{name}", make
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        admin.close()
