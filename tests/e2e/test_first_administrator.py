"""The first administrator from ``TASKHUB_ADMIN_*``: made when the web starts, once, however
many gunicorn workers start together, and left alone by every later start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.databases import throwaway_postgres_database
from tests.e2e.server import Server, gunicorn_command
from tests.processes import eventually

ADMIN = {
    "TASKHUB_ADMIN_USERNAME": "root",
    "TASKHUB_ADMIN_EMAIL": "root@example.com",
    "TASKHUB_ADMIN_PASSWORD": "a long enough secret",
}


@pytest.fixture(params=["embedded", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {"TASKHUB_DATA_DIR": str(tmp_path / "data")}
    if request.param == "embedded":
        yield env
        return
    with throwaway_postgres_database("taskhub_admin") as url:
        env["TASKHUB_DATABASE_URL"] = url
        assert subprocess.run([*TASKHUB, "db", "upgrade"], env=os.environ | env).returncode == 0
        yield env


TASKHUB = [sys.executable, "-m", "taskhub.entrypoints.cli"]


def administrators(env: dict[str, str]) -> list[dict[str, str]]:
    listed = subprocess.run(
        [*TASKHUB, "admin", "list", "--json"], env=os.environ | env, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    found: list[dict[str, str]] = json.loads(listed.stdout)
    return found


def serve_until_both_workers_answered(env: dict[str, str], log: Path, **admin: str) -> int:
    server = Server(env | ADMIN | admin, log, gunicorn_command)
    eventually(lambda: log.read_text().count("Booting worker") >= 2, 30, "two workers")
    eventually(lambda: len(administrators(env)) == 1, 30, "the administrator")
    with ThreadPoolExecutor(16) as pool:
        replies = list(pool.map(lambda _: server.request("GET", "/readyz"), range(64)))
    assert {reply.status for reply in replies} == {200}
    return server.stop()


def test_two_workers_make_one_administrator_and_a_restart_keeps_it(
    store: dict[str, str], tmp_path: Path
) -> None:
    assert serve_until_both_workers_answered(store, tmp_path / "first.log") == 0
    [first] = administrators(store)
    assert (first["username"], first["email"]) == ("root", "root@example.com")
    second = tmp_path / "second.log"
    assert (
        serve_until_both_workers_answered(store, second, TASKHUB_ADMIN_EMAIL="n@example.com") == 0
    )
    assert administrators(store) == [first]
    assert "Worker failed to boot" not in (tmp_path / "first.log").read_text()
