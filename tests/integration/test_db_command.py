"""``taskhub db`` migrates the configured database, and refuses clearly when it cannot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from taskhub.adapters.sqlalchemy import migrate
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.adapters.sqlalchemy.migrate import head_revision
from taskhub.entrypoints.cli import main
from tests.databases import throwaway_postgres_database
from tests.integration.test_migrations import INSERT_0001_USER, user_row

HEAD = head_revision()


def db(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, str | None]:
    assert main(["db", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_upgrade_current_and_downgrade_on_postgres(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with throwaway_postgres_database() as url:
        monkeypatch.setenv("TASKHUB_DATABASE_URL", url.replace("+psycopg2", ""))
        assert db(capsys, "current") == {"before": None, "current": None, "head": HEAD}
        assert db(capsys, "upgrade", "0001")["current"] == "0001"
        assert db(capsys, "upgrade") == {"before": "0001", "current": HEAD, "head": HEAD}
        assert db(capsys, "current")["current"] == HEAD
        assert db(capsys, "downgrade", "base")["current"] is None


def test_the_embedded_default_lives_in_the_data_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TASKHUB_DATA_DIR", str(tmp_path / "fresh" / "dir"))
    assert db(capsys, "upgrade")["current"] == HEAD
    assert (tmp_path / "fresh" / "dir" / "taskhub.sqlite3").is_file()


def test_an_unreachable_database_is_refused_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "taskhub.entrypoints.cli", "db", "current"],
        env={"TASKHUB_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("taskhub db: the database refused:")
    assert "Traceback" not in done.stderr


def test_a_migration_that_refuses_the_data_says_why_in_one_line(tmp_path: Path) -> None:
    """0002 refuses two addresses that became one; the operator reads which, not a traceback."""
    data = tmp_path / "data"
    engine = build_engine(f"sqlite:///{data / 'taskhub.sqlite3'}")
    migrate.upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text(INSERT_0001_USER), [user_row("Émile@example.com")])
        connection.execute(text(INSERT_0001_USER), [user_row("émile@example.com")])
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-m", "taskhub.entrypoints.cli", "db", "upgrade"],
        env={**os.environ, "TASKHUB_DATA_DIR": str(data)},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith("taskhub db: the migration refused:")
    assert "Émile@example.com" in done.stderr
    assert "Traceback" not in done.stderr
