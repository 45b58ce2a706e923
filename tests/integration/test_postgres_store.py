"""The SQL store under real concurrency and real faults, on the machine's PostgreSQL."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from uuid import UUID

import pytest
from dependency_injector import providers
from psycopg2.extensions import TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_INTRANS
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import sessionmaker

import taskhub
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.adapters.sqlalchemy.store import session_factory
from taskhub.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from taskhub.application.ports import StoreUnavailable
from taskhub.domain.errors import InvalidUserData
from taskhub.domain.task import TaskStatus
from taskhub.domain.user import User
from taskhub.entrypoints.library import Hub
from taskhub.testing import a_task, a_user, user_fields
from tests.interleavings import Interleaving, in_thread

TERMINATE_OTHERS = text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


class NoBus:
    def dispatch(self, task_id: UUID) -> None:
        """Leave the task PENDING so the test decides when it runs."""


@pytest.fixture
def hub(empty_postgres: Engine, postgres_url: str) -> Iterator[Hub]:
    """A hub on the empty PostgreSQL database whose submissions wait for the test to run them."""
    hub = taskhub.connect(database_url=postgres_url, bus="inline", db_pool_size=12)
    hub.container.task_bus.override(providers.Object(NoBus()))
    yield hub
    hub.close()


def all_at_once(count: int, action: Callable[[int], object]) -> None:
    barrier = threading.Barrier(count)

    def go(i: int) -> None:
        barrier.wait()
        action(i)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.parametrize(
    ("field", "code"), [("username", "username_taken"), ("email", "email_taken")]
)
def test_ten_concurrent_creates_of_one_name_make_exactly_one_user(
    hub: Hub, field: str, code: str
) -> None:
    shared = {"username": "same", "email": "same@example.com"}[field]
    tasks = [hub.users.create(**user_fields(**{field: shared})) for _ in range(10)]
    runner = hub.container.runner()
    all_at_once(10, lambda i: runner.run(tasks[i].id))
    finished = [hub.tasks.get(task.id) for task in tasks]
    assert sorted(task.status for task in finished) == ["DONE"] + ["FAILED"] * 9
    codes = {task.result["code"] for task in finished if task.status == "FAILED"}  # type: ignore[index]
    assert codes == {code}
    with hub.container.engine().connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM users").scalar() == 1


def test_of_ten_runners_racing_for_one_task_one_wins(hub: Hub) -> None:
    task = hub.users.create(**user_fields())
    runner = hub.container.runner()
    all_at_once(10, lambda _: runner.run(task.id))
    finished = hub.tasks.get(task.id)
    assert (finished.status, finished.attempt) == (TaskStatus.DONE, 1)
    created = [e for e in hub.container.event_publisher().recent if e.name == "user.created"]
    assert len(created) == 1


def created_user(hub: Hub, **fields: object) -> User:
    task = hub.tasks.run(hub.users.create(**user_fields(**fields)).id)
    return stored_user(hub, task.related_id)  # type: ignore[arg-type]


def stored_user(hub: Hub, user_id: UUID) -> User:
    with hub.container.sql_unit_of_work() as uow:
        user = uow.users.get(user_id)
    assert user is not None
    return user


def interleave(hub: Hub, between: Callable[[], object], times: int = 1) -> None:
    """From now on, the hub's tasks commit a user they read only after ``between`` ran."""
    interleaving = Interleaving(hub.container.sql_unit_of_work, between, times)
    hub.container.unit_of_work.override(providers.Callable(interleaving))


def test_a_put_overtaken_by_a_patch_is_run_again_and_reports_what_is_stored(hub: Hub) -> None:
    """The PATCH commits on its own connection between the PUT's read and its commit; the PUT
    writes exactly what it read, so it used to save nothing and report a first name not stored."""
    user = created_user(hub, first_name="", last_name="")
    put = hub.users.replace(user.id, username=user.username, email=user.email)
    patch = hub.users.update(user.id, first_name="Bob")
    runner = hub.container.runner()
    interleave(hub, in_thread(lambda: runner.run(patch.id)))
    finished = runner.run(put.id)
    assert finished.status is TaskStatus.DONE
    assert finished.result["user"] == stored_user(hub, user.id).to_dict()  # type: ignore[index]
    assert hub.tasks.get(patch.id).result["user"]["first_name"] == "Bob"  # type: ignore[index]
    assert stored_user(hub, user.id).version == 2


def test_of_two_concurrent_deletes_one_is_done_and_one_finds_no_user(hub: Hub) -> None:
    user = created_user(hub)
    deletes = [hub.users.delete(user.id) for _ in range(2)]
    both_have_read = threading.Barrier(2, timeout=10)
    interleave(hub, both_have_read.wait, times=2)
    runner = hub.container.runner()
    all_at_once(2, lambda i: runner.run(deletes[i].id))
    finished = sorted((hub.tasks.get(task.id) for task in deletes), key=lambda t: t.status)
    assert [task.status for task in finished] == [TaskStatus.DONE, TaskStatus.FAILED]
    assert finished[1].result["code"] == "user_not_found"  # type: ignore[index]
    deleted = [e for e in hub.container.event_publisher().recent if e.name == "user.deleted"]
    assert len(deleted) == 1
    with hub.container.engine().connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM users").scalar() == 0


def test_an_unreachable_database_is_a_typed_error() -> None:
    engine = build_engine("postgresql+psycopg2://postgres@127.0.0.1:1/none", connect_timeout=1)
    with pytest.raises(StoreUnavailable), SqlAlchemyUnitOfWork(session_factory(engine)) as uow:
        uow.tasks.get(a_task().id)
    engine.dispose()


def test_a_connection_lost_before_commit_saves_nothing(empty_postgres: Engine) -> None:
    sessions = session_factory(empty_postgres)
    user = a_user()
    with SqlAlchemyUnitOfWork(sessions) as uow:
        uow.users.get(user.id)  # the unit of work now holds a connection in a transaction
        uow.users.add(user)
        uow.tasks.add(a_task())
        with empty_postgres.begin() as other:
            other.execute(TERMINATE_OTHERS)
        with pytest.raises(StoreUnavailable, match="cannot be reached"):
            uow.commit()
    with SqlAlchemyUnitOfWork(sessions) as uow:
        assert uow.users.get(user.id) is None
        assert uow.users.count() == 0


def test_a_unit_of_work_refuses_sessions_without_its_listeners(empty_postgres: Engine) -> None:
    """Its listeners are on ``UnitOfWorkSession`` (``sessions``): a plain session would save a
    task without its relay bookkeeping, and a read-only one would let writes through."""
    with (
        pytest.raises(TypeError, match="session_factory"),
        SqlAlchemyUnitOfWork(sessionmaker(bind=empty_postgres)),
    ):
        pass


def test_a_connection_lost_while_another_failure_leaves_the_block_raises_that_failure(
    empty_postgres: Engine,
) -> None:
    """A runner's operation holds a connection (its safe point read) when a progress report, in
    a unit of work of its own, finds the server gone; leaving the operation's block must raise
    that outage, which the runner waits out under its claim, not the dead connection's ROLLBACK
    (an unexpected error, which cost the task an attempt)."""
    sessions = session_factory(empty_postgres)

    def operation() -> None:
        with SqlAlchemyUnitOfWork(sessions) as uow:
            uow.tasks.get(a_task().id)  # the unit of work now holds a connection, in a transaction
            with empty_postgres.begin() as other:
                other.execute(TERMINATE_OTHERS)
            raise StoreUnavailable("the report's outage")

    with pytest.raises(StoreUnavailable, match="the report's"):
        operation()
    with SqlAlchemyUnitOfWork(sessions) as uow:  # the pool hands out a live connection again
        assert uow.users.count() == 0


def test_a_value_postgresql_cannot_store_is_invalid_data_and_saves_nothing(
    empty_postgres: Engine,
) -> None:
    """The domain refuses NUL; should any reach the store, the refusal is typed, not a crash."""
    sessions = session_factory(empty_postgres)
    task = a_task(input_data={"values": {"first_name": "nul\x00byte"}})
    with SqlAlchemyUnitOfWork(sessions) as uow:
        uow.tasks.add(task)
        with pytest.raises(InvalidUserData) as refused:
            uow.commit()
    assert list(refused.value.errors) == ["data"]
    with SqlAlchemyUnitOfWork(sessions) as uow:
        assert uow.tasks.get(task.id) is None


def test_a_forked_child_opens_its_own_connections(
    empty_postgres: Engine, postgres_url: str
) -> None:
    engine = build_engine(postgres_url)
    with engine.connect() as connection:
        parent_pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        with engine.connect() as connection:
            mine = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        os._exit(0 if mine != parent_pid else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with engine.connect() as connection:  # the parent's pooled connection still works
        assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() == parent_pid
    engine.dispose()


def test_a_read_only_unit_of_work_sends_its_select_alone(empty_postgres: Engine) -> None:
    """No BEGIN, no ROLLBACK: between its statements the connection holds no transaction. The
    pool's next unit of work, on the same connection, is in a transaction again."""
    sessions, task = session_factory(empty_postgres), a_task()
    with SqlAlchemyUnitOfWork(sessions) as uow:
        uow.tasks.add(task)
        uow.commit()
    sent: list[str] = []

    def record(*args: object) -> None:
        sent.append(str(args[2]))

    event.listen(empty_postgres, "before_cursor_execute", record)
    try:
        with SqlAlchemyUnitOfWork(sessions).read_only() as reading:
            assert reading.tasks.get(task.id) == task
            assert transaction_status(reading) == TRANSACTION_STATUS_IDLE
        with SqlAlchemyUnitOfWork(sessions) as writing:
            assert writing.tasks.get(task.id) == task
            assert transaction_status(writing) == TRANSACTION_STATUS_INTRANS
    finally:
        event.remove(empty_postgres, "before_cursor_execute", record)
    assert [statement.split()[0] for statement in sent] == ["SELECT", "SELECT"]


def transaction_status(uow: SqlAlchemyUnitOfWork) -> int:
    """libpq's view of the unit of work's connection: in a transaction or not."""
    dbapi_connection = uow._session.connection().connection.dbapi_connection
    return int(dbapi_connection.info.transaction_status)  # type: ignore[union-attr]
