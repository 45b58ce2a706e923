"""``taskhub db`` migrates the configured database, and refuses clearly when it cannot."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from taskhub.adapters.sqlalchemy import migrate
from taskhub.entrypoints.cli import main
from tests.databases import throwaway_postgres_database


def db(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, str | None]:
    assert main(["db", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_upgrade_current_and_downgrade_on_postgres(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with throwaway_postgres_database() as url:
        monkeypatch.setenv("TASKHUB_DATABASE_URL", url.replace("+psycopg2", ""))
        head = migrate.head_revision()
        assert db(capsys, "current") == {"before": None, "current": None, "head": head}
        assert db(capsys, "upgrade")["current"] == head
        assert db(capsys, "current")["current"] == head
        assert db(capsys, "downgrade", "base")["current"] is None


def test_the_embedded_default_lives_in_the_data_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TASKHUB_DATA_DIR", str(tmp_path / "fresh" / "dir"))
    assert db(capsys, "upgrade")["current"] == migrate.head_revision()
    assert (tmp_path / "fresh" / "dir" / "taskhub.sqlite3").is_file()


def test_a_half_built_sqlite_file_is_refused_saying_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "half.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE tasks (id CHAR(32) PRIMARY KEY)")
    monkeypatch.setenv("TASKHUB_DATABASE_URL", f"sqlite:///{database}")
    with pytest.raises(SystemExit, match=r"has taskhub tables \(tasks\) but no schema revision"):
        main(["db", "upgrade"])


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
