"""The store misbehaving under running tasks: a PostgreSQL restart, a lock held too long.

Each test runs a real PostgreSQL: a server of its own (``initdb``/``pg_ctl``) when it restarts it,
else a throwaway database on the machine's server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from uuid import UUID

import psycopg2
import pytest
from sqlalchemy.engine import make_url

import taskhub
from taskhub.adapters.sqlalchemy import migrate
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.domain.task import Task, TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.testing import user_fields
from tests.integration.test_faults import (
    all_finished,
    assert_each_done_create_made_exactly_one_user,
)
from tests.postgres_cluster import postgres_cluster
from tests.processes import eventually

pytestmark = pytest.mark.slow


@contextmanager
def users_locked(url: str) -> Iterator[None]:
    """A session of its own holds a lock that blocks every INSERT into users, until the block
    ends or the server cuts it. Claims (on tasks) go through; performs (creates) wait."""
    parsed = make_url(url)
    connection = psycopg2.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, dbname=parsed.database
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN; LOCK TABLE users IN SHARE MODE")
        yield
    finally:
        with suppress(psycopg2.Error):  # already cut by a restart
            connection.close()


def processing(hub: Hub, at_least: int) -> list[Task] | None:
    tasks = hub.tasks.list(status="PROCESSING").items
    return list(tasks) if len(tasks) >= at_least else None


def test_a_postgres_restart_during_a_run_costs_seconds_not_an_attempt() -> None:
    """Every task is mid-perform when the server restarts; each finishes on its first attempt.

    Before runners waited out outages under their claim, each perform failed, its task stayed
    PROCESSING until the lease ran out, and three such blips failed it ``worker_lost``.
    """
    with postgres_cluster() as server:
        engine = build_engine(server.url)
        migrate.upgrade(engine)
        engine.dispose()
        with taskhub.connect(database_url=server.url, bus="thread") as hub:  # default timings
            threads = hub.container.settings().worker_threads
            with users_locked(server.url):
                ids: list[UUID] = [hub.users.create(**user_fields()).id for _ in range(threads)]
                eventually(lambda: processing(hub, threads), 30, "every task to be claimed")
                server.restart()
            tasks = eventually(lambda: all_finished(hub, ids), 60, "every task to finish")
            assert [(t.status, t.attempt) for t in tasks] == [(TaskStatus.DONE, 1)] * threads
            assert_each_done_create_made_exactly_one_user(hub, tasks)
        assert server.log.read_text().count("ready to accept connections") == 2, "no restart"


def test_a_lock_held_past_the_lock_timeout_fails_the_task_saying_so(database_url: str) -> None:
    """Before, the runner waited on the lock for as long as it was held, its slot taken."""
    settings = taskhub.Settings.from_env(
        {}, database_url=database_url, bus="thread", db_lock_timeout_seconds=1.0
    )
    with taskhub.connect(settings) as hub, users_locked(database_url):
        task = hub.users.create(**user_fields())
        failed = hub.tasks.wait(task.id, timeout=20)
    assert (failed.status, failed.attempt) == (TaskStatus.FAILED, 1)
    assert failed.result is not None
    assert failed.result["code"] == "lock_timeout"
    assert "lock" in failed.result["error"]
    assert "nothing was changed" in failed.result["error"]


def test_a_statement_past_the_statement_timeout_fails_the_task_saying_so(
    database_url: str,
) -> None:
    settings = taskhub.Settings.from_env(
        {}, database_url=database_url, bus="thread",
        db_lock_timeout_seconds=0, db_statement_timeout_seconds=1.0,
    )  # fmt: skip
    with taskhub.connect(settings) as hub, users_locked(database_url):
        task = hub.users.create(**user_fields())
        failed = hub.tasks.wait(task.id, timeout=20)
    assert failed.result is not None
    assert (failed.status, failed.result["code"]) == (TaskStatus.FAILED, "statement_timeout")
