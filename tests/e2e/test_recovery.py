"""An embedded service killed mid-work loses nothing: the next one, on the default settings,
finishes the tasks the dead one left PENDING or PROCESSING, each create making one user."""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from taskhub.settings import Settings
from tests.builders import user_fields
from tests.e2e.server import Server
from tests.processes import eventually

DEFAULTS = Settings()
BOUND = DEFAULTS.lease_seconds + DEFAULTS.relay_idle_seconds + DEFAULTS.relay_interval_seconds
CREATES_PER_ROUND = 100
ROUNDS = 5


def submit_creates(server: Server, count: int) -> list[str]:
    """``count`` creates from 16 clients at once; the ids of their tasks, every one accepted."""
    with ThreadPoolExecutor(16) as clients:
        replies = list(
            clients.map(
                lambda _: server.request("POST", "/api/users/", user_fields()), range(count)
            )
        )
    assert [reply.status for reply in replies] == [202] * count
    return [reply.body["task_id"] for reply in replies]


def statuses(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as reader:
        return Counter(dict(reader.execute("SELECT status, count(*) FROM tasks GROUP BY status")))


@contextmanager
def frozen_mid_flight(server: Server, database: Path) -> Iterator[tuple[list[str], Counter[str]]]:
    """Creates submitted, then the database's write lock held (``BEGIN IMMEDIATE``) while some
    are claimed (PROCESSING: their perform waits for the lock) and some are not yet (PENDING).

    Yields the submitted task ids and the frozen statuses; WAL readers still read. Where a freeze
    catches the tasks depends on timing, so it submits and freezes again, a few rounds at most.
    """
    submitted: list[str] = []
    for _ in range(ROUNDS):
        submitted += submit_creates(server, CREATES_PER_ROUND)
        holder = sqlite3.connect(database, timeout=30, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            frozen = statuses(database)
            if frozen["PENDING"] and frozen["PROCESSING"]:
                yield submitted, frozen
                return
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    raise AssertionError(f"no freeze caught tasks both PENDING and PROCESSING: {frozen}")


def tasks(database: Path) -> list[tuple[str, str, str, int, str | None]]:
    with sqlite3.connect(database) as reader:
        query = "SELECT id, status, related_id, attempt, result FROM tasks"
        return reader.execute(query).fetchall()


def users(database: Path) -> list[str]:
    with sqlite3.connect(database) as reader:
        return [row[0] for row in reader.execute("SELECT id FROM users")]


@pytest.mark.slow
def test_a_killed_service_s_pending_and_processing_tasks_are_finished_by_the_next(
    tmp_path: Path,
) -> None:
    env, database = {"TASKHUB_DATA_DIR": str(tmp_path)}, tmp_path / "taskhub.sqlite3"
    first = Server(env, tmp_path / "first.log")
    with frozen_mid_flight(first, database) as (submitted, at_kill):
        first.kill()
    restarted = time.monotonic()
    second = Server(env, tmp_path / "second.log")
    try:
        eventually(
            lambda: statuses(database) == Counter(DONE=len(submitted)), BOUND + 15,
            f"every task to finish (at the kill: {dict(at_kill)})", interval=0.5,
        )  # fmt: skip
        recovered_in = time.monotonic() - restarted
    finally:
        assert second.stop() == 0, (tmp_path / "second.log").read_text()
    print(f"{dict(at_kill)} at the kill; all DONE {recovered_in:.1f} s after the restart")
    assert recovered_in <= BOUND, f"took {recovered_in:.1f} s; lease + idle + a sweep is {BOUND}"
    rows = tasks(database)
    assert sorted(str(task_id) for task_id, *_ in rows) == sorted(
        s.replace("-", "") for s in submitted
    )
    assert sorted(users(database)) == sorted(related for _, _, related, _, _ in rows)
    for _, _, related, _, result in rows:
        assert json.loads(result or "{}")["user_id"].replace("-", "") == related
    assert any(attempt == 2 for *_, attempt, _ in rows), "a PROCESSING task was taken over"
