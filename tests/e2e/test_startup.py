"""A fresh embedded service survives its first burst of traffic, and a broken schema stops it at
start with a sentence saying what to do, instead of a 500 for every request."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

import pytest

from taskhub.adapters.sqlalchemy import migrate
from tests.e2e.server import Reply, Server, gunicorn_command, serve_command
from tests.processes import ROOT, free_port

BURST = 32
COMMANDS = {"taskhub serve": serve_command, "gunicorn as the README says": gunicorn_command}


def burst_of_creates(server: Server, count: int) -> list[Reply]:
    """``count`` first ``POST /api/users/`` sent at the same moment, each for a new user."""
    barrier, replies = threading.Barrier(count), dict[int, Reply]()

    def create(i: int) -> None:
        name = f"burst_{i}_{uuid4().hex[:8]}"
        user = {"username": name, "email": f"{name}@example.com"}
        barrier.wait()
        try:
            replies[i] = server.request("POST", "/api/users/", user)
        except OSError as error:  # no answer at all (a timeout): counted as a failure
            replies[i] = Reply(0, {}, str(error))

    threads = [threading.Thread(target=create, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [replies[i] for i in range(count)]


def revision_of(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_fresh_embedded_service_answers_its_first_burst_of_creates(
    tmp_path: Path, command: Callable[[int], list[str]]
) -> None:
    data = tmp_path / "data"
    server = Server({"TASKHUB_DATA_DIR": str(data)}, tmp_path / "server.log", command)
    try:
        replies = burst_of_creates(server, BURST)
        statuses = [reply.status for reply in replies]
        assert statuses.count(202) + statuses.count(200) == BURST, statuses
        finished = [
            server.request("GET", f"/api/tasks/{reply.body['task_id']}/status/", headers={
                "Prefer": "wait=20"
            }).body["status"]
            for reply in replies
        ]  # fmt: skip
        assert finished == ["DONE"] * BURST
    finally:
        stopped = server.stop()
    assert stopped == 0, (tmp_path / "server.log").read_text()
    assert revision_of(data / "taskhub.sqlite3") == [migrate.head_revision()]


def half_built(database: Path) -> None:
    """What an interrupted set-up by an older taskhub left: a table and an empty version table."""
    database.parent.mkdir(parents=True)
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE tasks (id CHAR(32) PRIMARY KEY)")
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")


def run_until_exit(command: list[str], data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TASKHUB_DATA_DIR": str(data)}
    return subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_half_built_embedded_database_stops_the_service_at_start_saying_what_to_do(
    tmp_path: Path, command: Callable[[int], list[str]]
) -> None:
    database = tmp_path / "data" / "taskhub.sqlite3"
    half_built(database)
    done = run_until_exit(command(free_port()), database.parent)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "has taskhub tables (tasks) but no schema revision" in output, output
    assert f"mv {database} {database}.half-built" in output, output
