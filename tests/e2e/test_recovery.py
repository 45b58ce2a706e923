"""An embedded service killed mid-work loses nothing: the next one, on the default settings,
finishes the tasks the dead one left PENDING or PROCESSING, each create making one user."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPException
from pathlib import Path

import pytest

from taskhub.settings import Settings
from taskhub.testing import user_fields
from tests.e2e.server import Server
from tests.processes import eventually

DEFAULTS = Settings()
BOUND = DEFAULTS.lease_seconds + DEFAULTS.relay_idle_seconds + DEFAULTS.relay_interval_seconds
FREEZES = 20


def statuses(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as reader:
        return Counter(dict(reader.execute("SELECT status, count(*) FROM tasks GROUP BY status")))


@contextmanager
def submitting(server: Server, clients: int = 16) -> Iterator[list[str]]:
    """``clients`` threads posting creates without pause until the block ends or the server dies;
    yields the ids of the tasks answered 202 so far (a list that grows)."""
    accepted: list[str] = []
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            try:
                reply = server.request("POST", "/api/users/", user_fields())
            except (OSError, HTTPException):
                return  # the server was killed under this request, or mid-answer
            assert reply.status == 202, reply
            accepted.append(reply.body["task_id"])

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    try:
        yield accepted
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)


@contextmanager
def frozen_mid_flight(server: Server, database: Path) -> Iterator[tuple[list[str], Counter[str]]]:
    """While clients submit, the database's write lock held (``BEGIN IMMEDIATE``) at a moment
    some tasks are claimed (PROCESSING: their perform waits for the lock) and some are not yet
    (PENDING); yields the ids accepted so far and those statuses (WAL readers still read).
    Submissions, claims and performs all wait for the lock meanwhile: nothing moves until the
    block ends."""
    with submitting(server) as accepted:
        for round_ in range(1, FREEZES + 1):
            wanted = 20 * round_
            eventually(lambda n=wanted: len(accepted) >= n, 60, "creates to be accepted")
            holder = sqlite3.connect(database, timeout=30, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            try:
                frozen = statuses(database)
                if frozen["PENDING"] and frozen["PROCESSING"]:
                    yield accepted, frozen
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
    with frozen_mid_flight(first, database) as (accepted, at_kill):
        first.kill()
    submitted = [row[0] for row in tasks(database)]  # with any whose 202 the kill cut off
    assert {task_id.replace("-", "") for task_id in accepted} <= set(submitted)
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
    assert sorted(task_id for task_id, *_ in rows) == sorted(submitted)
    assert sorted(users(database)) == sorted(related for _, _, related, _, _ in rows)
    for _, _, related, _, result in rows:
        assert json.loads(result or "{}")["user_id"].replace("-", "") == related
    assert any(attempt == 2 for *_, attempt, _ in rows), "a PROCESSING task was taken over"
