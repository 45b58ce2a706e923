"""Alembic migrations are the only way the schema is made, and they never drift from the models."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from taskhub.adapters.sqlalchemy import migrate
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.adapters.sqlalchemy.mapping import start_mappers
from taskhub.adapters.sqlalchemy.store import session_factory
from taskhub.adapters.sqlalchemy.tables import metadata
from taskhub.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from taskhub.testing import MOMENT, a_task
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
        assert tables(engine) == {"users", "tasks", "administrators", "api_tokens", "workers"}
        migrate.downgrade(engine, "base")
        assert (migrate.current_revision(engine), tables(engine)) == (None, set())
        migrate.upgrade(engine)
        assert tables(engine) == {"users", "tasks", "administrators", "api_tokens", "workers"}
        engine.dispose()


def test_the_postgres_schema_from_migrations_matches_the_models(postgres_engine: Engine) -> None:
    assert drift(postgres_engine) == []


def test_the_sqlite_schema_from_migrations_matches_the_models(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'drift.sqlite3'}")
    migrate.upgrade(engine)
    assert drift(engine) == []
    engine.dispose()


def test_the_drift_check_notices_a_missing_index(tmp_path: Path) -> None:
    """The check above could fail: drop an index the models declare, and it reports it."""
    engine = build_engine(f"sqlite:///{tmp_path / 'drifted.sqlite3'}")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_tasks_status_created_at_id")
    assert any("ix_tasks_status_created_at_id" in str(change) for change in drift(engine))
    engine.dispose()


@pytest.mark.parametrize(
    "index",
    [
        "ix_tasks_status_created_at_id",
        "ix_tasks_operation_created_at_id",
        "ix_tasks_task_name_created_at_id",
        "ix_tasks_related_id_created_at_id",
        "ix_tasks_related_table_related_id",
    ],
)
def test_the_task_list_indexes_exist_on_postgres(postgres_engine: Engine, index: str) -> None:
    names = {i["name"] for i in inspect(postgres_engine).get_indexes("tasks")}
    assert index in names


def user_row(email: str) -> dict[str, object]:
    name = uuid.uuid4().hex[:12]
    return {"id": uuid.uuid4().hex, "username": name, "email": email}


INSERT_0001_USER = (
    "INSERT INTO users (id, username, email, first_name, last_name, is_active, date_joined) "
    "VALUES (:id, :username, :email, '', '', 1, '2025-03-18 10:15:30')"
)


def test_0002_gives_existing_users_their_email_keys_and_nfc_names(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    migrate.upgrade(engine, "0001")
    row = {**user_row("STRASSE@Example.com"), "username": "Jose\u0301"}
    with engine.begin() as connection:
        connection.execute(text(INSERT_0001_USER), [row])
    migrate.upgrade(engine)
    with engine.connect() as connection:
        keys = connection.execute(text("SELECT email_key, version, username FROM users")).all()
    assert keys == [("strasse@example.com", 0, "Jos\u00e9")]
    engine.dispose()


def test_0002_refuses_addresses_the_new_rule_makes_one_naming_them(tmp_path: Path) -> None:
    """On SQLite, 0001 let 'Émile@' and 'émile@' both in; 0002 says which to change."""
    engine = build_engine(f"sqlite:///{tmp_path / 'clash.sqlite3'}")
    migrate.upgrade(engine, "0001")
    rows = [user_row("Émile@example.com"), user_row("émile@example.com")]
    with engine.begin() as connection:
        connection.execute(text(INSERT_0001_USER), rows)
    at_0001 = sqlite_schema(engine)
    with pytest.raises(RuntimeError, match=r"Émile@example\.com"):
        migrate.upgrade(engine)
    assert migrate.current_revision(engine) == "0001"
    assert sqlite_schema(engine) == at_0001  # nothing half-added, nothing half-dropped
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE users SET email = 'emile@example.org' WHERE id = :id"), rows[1]
        )
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as connection:
        keys = set(connection.execute(text("SELECT email_key FROM users")).scalars())
    assert keys == {"émile@example.com", "emile@example.org"}
    engine.dispose()


def sqlite_schema(engine: Engine) -> list[tuple[str, str, str | None]]:
    """Every table, index and trigger of a SQLite database, as the statement that made it."""
    with engine.connect() as connection:
        query = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        return [tuple(row) for row in connection.execute(text(query))]  # type: ignore[misc]


def test_migrating_one_sqlite_file_from_many_threads_at_once_fails_none_and_ends_at_head(
    tmp_path: Path,
) -> None:
    """As several containers of one process would: Alembic's globals and the file are shared."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    engines = [build_engine(url) for _ in range(8)]
    barrier, failures = threading.Barrier(len(engines)), list[BaseException]()

    def migrate_at_once(engine: Engine) -> None:
        barrier.wait()
        try:
            migrate.upgrade(engine)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=migrate_at_once, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert migrate.current_revision(engines[0]) == migrate.head_revision()
    assert drift(engines[0]) == []
    for engine in engines:
        engine.dispose()


def test_0004_downgrade_keeps_cancelled_tasks_as_failed(tmp_path: Path) -> None:
    """The taskhub before 0004 knows no CANCELLED: its tasks go back as FAILED, code kept."""
    engine = build_engine(f"sqlite:///{tmp_path / 'cancelled.sqlite3'}")
    migrate.upgrade(engine)
    start_mappers()
    task = a_task(retry_of=uuid.uuid4())
    task.cancel(MOMENT)
    with SqlAlchemyUnitOfWork(session_factory(engine)) as uow:
        uow.tasks.add(task)
        uow.commit()
    migrate.downgrade(engine, "0003")
    columns = {c["name"] for c in inspect(engine).get_columns("tasks")}
    assert not columns & {"cancel_requested_at", "retry_of", "retried_by"}
    with engine.connect() as connection:
        row = connection.execute(text("SELECT status, result FROM tasks")).one()
    assert row[0] == "FAILED"
    assert '"code": "cancelled"' in row[1]
    migrate.upgrade(engine)
    assert drift(engine) == []
    engine.dispose()


def test_0005_comes_after_0004_and_its_downgrade_drops_only_the_request_id(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'request_id.sqlite3'}")
    migrate.upgrade(engine)
    start_mappers()
    task = a_task()
    task.request_id = "req-1"
    with SqlAlchemyUnitOfWork(session_factory(engine)) as uow:
        uow.tasks.add(task)
        uow.commit()
    migrate.downgrade(engine, "0004")
    columns = {c["name"] for c in inspect(engine).get_columns("tasks")}
    assert "request_id" not in columns
    assert {"cancel_requested_at", "retry_of", "retried_by"} <= columns
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM tasks")).scalar_one() == 1


def test_0006_downgrade_takes_redaction_and_its_index_out_and_upgrades_again(
    tmp_path: Path,
) -> None:
    """One step back from 0006, whichever revision it follows (0004 now, 0005 once merged)."""
    engine = build_engine(f"sqlite:///{tmp_path / 'retention.sqlite3'}")
    migrate.upgrade(engine, "0006")
    start_mappers()
    task = a_task()
    task.start(MOMENT, timedelta(seconds=30))
    task.succeed({"message": "Successfully created user ada"}, MOMENT)
    task.redact(MOMENT)
    with SqlAlchemyUnitOfWork(session_factory(engine)) as uow:
        uow.tasks.add(task)
        uow.commit()
    migrate.downgrade(engine, "-1")
    assert migrate.current_revision(engine) not in (None, "0006")
    assert "redacted_at" not in {c["name"] for c in inspect(engine).get_columns("tasks")}
    indexes = {i["name"] for i in inspect(engine).get_indexes("tasks")}
    assert "ix_tasks_operation_status_updated_at" not in indexes
    with engine.connect() as connection:
        assert connection.execute(text("SELECT status FROM tasks")).scalars().all() == ["DONE"]
    migrate.upgrade(engine)
    assert drift(engine) == []
    engine.dispose()
