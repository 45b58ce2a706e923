"""Alembic migrations are the only way the schema is made, and they never drift from the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from taskhub.adapters.sqlalchemy import migrate
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.adapters.sqlalchemy.tables import metadata
from tests.databases import throwaway_postgres_database


def drift(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_postgres_upgrades_downgrades_and_upgrades_again() -> None:
    with throwaway_postgres_database() as url:
        engine = build_engine(url)
        assert migrate.current_revision(engine) is None
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert tables(engine) == {"users", "tasks"}
        migrate.downgrade(engine, "base")
        assert (migrate.current_revision(engine), tables(engine)) == (None, set())
        migrate.upgrade(engine)
        assert tables(engine) == {"users", "tasks"}
        engine.dispose()


def test_the_postgres_schema_from_migrations_matches_the_models(postgres_engine: Engine) -> None:
    assert drift(postgres_engine) == []


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_the_sqlite_schema_from_migrations_matches_the_models(tmp_path: Path) -> None:
    """SQLite cannot reflect expression indexes, so the email index is checked by name."""
    engine = build_engine(f"sqlite:///{tmp_path / 'drift.sqlite3'}")
    migrate.upgrade(engine)
    assert drift(engine) == []
    with engine.connect() as connection:
        sql = "SELECT sql FROM sqlite_master WHERE name = 'uq_users_email_lower'"
        assert "lower(email)" in connection.exec_driver_sql(sql).scalar_one()
    engine.dispose()


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_the_drift_check_notices_a_missing_index(tmp_path: Path) -> None:
    """The check above could fail: drop an index the models declare, and it reports it."""
    engine = build_engine(f"sqlite:///{tmp_path / 'drifted.sqlite3'}")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_tasks_status_created_at")
    assert any("ix_tasks_status_created_at" in str(change) for change in drift(engine))
    engine.dispose()


@pytest.mark.parametrize(
    "index", ["ix_tasks_status_created_at", "ix_tasks_related_table_related_id"]
)
def test_the_task_list_indexes_exist_on_postgres(postgres_engine: Engine, index: str) -> None:
    names = {i["name"] for i in inspect(postgres_engine).get_indexes("tasks")}
    assert index in names
