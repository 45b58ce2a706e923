"""On PostgreSQL, which its operator migrates, a web process checks the schema instead of serving
500s: at start if the database answers, else as soon as it does."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Callable

import pytest
from werkzeug.test import TestResponse

from taskhub.adapters.sqlalchemy import migrate
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.bootstrap import shut_down
from taskhub.entrypoints.http import create_app
from taskhub.settings import Settings
from taskhub.testing import user_fields
from tests.databases import throwaway_postgres_database
from tests.e2e.server import gunicorn_command, serve_command
from tests.postgres_cluster import PostgresCluster
from tests.processes import ROOT, eventually, free_port

COMMANDS = {"taskhub serve": serve_command, "gunicorn as the README says": gunicorn_command}
RUN_DB_UPGRADE = "run `taskhub db upgrade` with the same TASKHUB_DATABASE_URL"


def migrated_to(url: str, revision: str) -> None:
    engine = build_engine(url)
    migrate.upgrade(engine, revision)
    engine.dispose()


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_database_behind_head_stops_the_web_process_at_start_saying_what_to_run(
    command: Callable[[int], list[str]],
) -> None:
    with throwaway_postgres_database() as url:
        migrated_to(url, "0001")
        done = subprocess.run(
            command(free_port()), env={**os.environ, "TASKHUB_DATABASE_URL": url}, cwd=ROOT,
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert f"is at schema revision 0001, but this taskhub needs {migrate.head_revision()}" in output
    assert RUN_DB_UPGRADE in output


def test_a_database_that_answers_only_later_is_checked_when_it_does(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cluster = PostgresCluster()  # made, not started: nothing listens on its port yet
    url = cluster.url
    try:
        app = create_app(Settings(database_url=url, bus="inline", db_connect_timeout=2))
        client = app.test_client()
        try:
            assert client.get("/readyz").status_code == 503  # started all the same
            assert client.post("/api/users/", json=user_fields()).status_code == 503
            cluster.start()
            migrated_to(url, "0001")

            def refused_saying_what_to_run() -> TestResponse | None:
                answer = client.post("/api/users/", json=user_fields())
                return answer if RUN_DB_UPGRADE in caplog.text else None

            with caplog.at_level(logging.ERROR):  # checked again within a second of answering
                behind = eventually(refused_saying_what_to_run, 5, "the schema to be checked")
            assert (behind.status_code, behind.json["code"]) == (503, "store_unavailable")
            migrated_to(url, "head")
            assert client.get("/readyz").status_code == 200
            created = client.post("/api/users/", json=user_fields(), headers={"Prefer": "wait=5"})
            assert (created.status_code, created.json["status"]) == (200, "DONE")
        finally:
            shut_down(app.extensions["taskhub"].container)
    finally:
        cluster.remove()
