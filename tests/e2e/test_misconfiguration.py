"""A wrong setting stops a command at start: one line naming it and what to do, exit 2, no
traceback, and never a process that serves errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import throwaway_postgres_database

TASKHUB = [sys.executable, "-m", "taskhub.entrypoints.cli"]
MISSING_DB = "postgresql://postgres@127.0.0.1:5432/taskhub_no_such_database"
ADMIN = {
    "TASKHUB_ADMIN_USERNAME": "root",
    "TASKHUB_ADMIN_EMAIL": "root@example.com",
    "TASKHUB_ADMIN_PASSWORD": "a long enough secret",
}


def taskhub(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **env}
    return subprocess.run(
        [*TASKHUB, *argv], env=environ, capture_output=True, text=True, timeout=60
    )


def refused_in_one_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert all(word in done.stderr for word in words), done.stderr


@pytest.mark.parametrize(
    ("argv", "env", "words"),
    [
        (
            ["serve"],
            {"TASKHUB_DATABASE_URL": "mysql://db/taskhub"},
            ["TASKHUB_DATABASE_URL", "postgresql://"],
        ),
        (["serve"], {"TASKHUB_BUS": "carrier-pigeon"}, ["TASKHUB_BUS", "'celery'"]),
        (["serve"], {"TASKHUB_LEASE_SECONDS": "soon"}, ["TASKHUB_LEASE_SECONDS", "number"]),
        (["serve"], {"TASKHUB_BROKER_URL": "redis://redis:6379/0"}, ["TASKHUB_BUS=celery"]),
        (["worker"], {"TASKHUB_BROKER_URL": "redis://redis:6379/0"}, ["TASKHUB_BUS=celery"]),
        (["serve"], {"TASKHUB_LEASE_SECOND": "5"}, ["did you mean TASKHUB_LEASE_SECONDS"]),
        (["serve"], {"TASKHUB_DATABASE_URL": MISSING_DB}, ["does not exist", "createdb"]),
        (["db", "upgrade"], {"TASKHUB_DATABASE_URL": MISSING_DB}, ["does not exist"]),
        (["serve"], {"TASKHUB_ADMIN_USERNAME": "root"}, ["set TASKHUB_ADMIN_EMAIL and"]),
        (["serve"], ADMIN | {"TASKHUB_ADMIN_PASSWORD": "hunter2"}, ["at least 12 characters"]),
        (["serve"], ADMIN | {"TASKHUB_ADMIN_EMAIL": "root"}, ["TASKHUB_ADMIN_EMAIL", "valid"]),
        (["serve"], {"TASKHUB_RATE_LIMIT": "lots"}, ["TASKHUB_RATE_LIMIT", "100/minute"]),
        (
            ["worker"],
            {"TASKHUB_BUS": "celery", "TASKHUB_BROKER_URL": "reddis://redis:6379/0"},
            ["TASKHUB_BROKER_URL must start with one of redis://", "'reddis://redis:6379/0'"],
        ),
    ],
    ids=[
        "scheme",
        "bus",
        "number",
        "broker-serve",
        "broker-worker",
        "typo",
        "no-db",
        "no-db-migrate",
        "admin-alone",
        "admin-password",
        "admin-email",
        "rate-limit",
        "broker-scheme",
    ],
)
def test_a_wrong_setting_stops_the_command_in_one_line(
    argv: list[str], env: dict[str, str], words: list[str]
) -> None:
    done = taskhub(*argv, **env)
    refused_in_one_line(done, *words)
    assert env.get("TASKHUB_ADMIN_PASSWORD", "no password given") not in done.stderr


def test_a_sqlite_file_in_a_directory_that_does_not_exist_is_refused_not_created(
    tmp_path: Path,
) -> None:
    where = tmp_path / "no" / "such" / "dir"
    done = taskhub("users", "list", TASKHUB_DATABASE_URL=f"sqlite:///{where / 'x.db'}")
    refused_in_one_line(done, str(where), "does not exist")
    assert not (tmp_path / "no").exists()


def test_a_data_dir_that_cannot_be_made_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    done = taskhub("users", "list", TASKHUB_DATA_DIR=str(tmp_path / "a-file" / "data"))
    refused_in_one_line(done, "TASKHUB_DATA_DIR", "cannot be made")


def test_a_process_whose_schema_is_not_ready_stops_in_one_line() -> None:
    with throwaway_postgres_database("taskhub_empty") as url:
        done = taskhub("relay", "--once", TASKHUB_DATABASE_URL=url, TASKHUB_BUS="celery")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "run `taskhub db upgrade`" in done.stderr.splitlines()[-1]


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(port: str) -> None:
    done = taskhub("serve", "--port", port)
    assert done.returncode == 2
    assert "Invalid value for '--port'" in done.stderr


def test_check_prints_the_settings_masked_and_whether_each_service_answers() -> None:
    with throwaway_postgres_database("taskhub_check") as url:
        secret_url = url.replace("postgres@", "postgres:s3cret@")
        env = {"TASKHUB_DATABASE_URL": secret_url, "TASKHUB_BUS": "celery", **ADMIN}
        up = {**env, "TASKHUB_BROKER_URL": "redis://127.0.0.1:6379/0"}
        empty = taskhub("check", "--json", **up)
        assert taskhub("db", "upgrade", **up).returncode == 0
        down = taskhub("check", "--json", **env, TASKHUB_BROKER_URL="redis://127.0.0.1:9/0")
        ready = taskhub("check", "--json", **up)
        said = taskhub("check", **env, TASKHUB_BROKER_URL="redis://127.0.0.1:9/0")
    assert (empty.returncode, down.returncode, ready.returncode) == (1, 1, 0), down.stderr
    behind = json.loads(empty.stdout)["checks"]["database"]
    assert behind["ok"] is False
    assert "taskhub db upgrade" in behind["detail"]
    report = json.loads(down.stdout)
    assert "s3cret" not in down.stdout
    assert report["settings"]["TASKHUB_DATABASE_URL"].count(":***@") == 1
    assert report["settings"]["TASKHUB_ADMIN_PASSWORD"] == "***"
    assert ADMIN["TASKHUB_ADMIN_PASSWORD"] not in down.stdout + said.stdout
    assert report["checks"]["database"]["ok"] is True
    assert report["checks"]["broker"]["ok"] is False
    assert json.loads(ready.stdout)["checks"]["broker"] == {"ok": True, "detail": "answers"}
    assert said.returncode == 1
    assert "broker: FAILED: " in said.stdout
    assert "s3cret" not in said.stdout
