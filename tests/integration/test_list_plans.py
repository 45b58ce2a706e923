"""The lists' plans on PostgreSQL: every filter of the task list, and the user list, on the first
page and on a deep one, is one range of an index read in the list's order (``EXPLAIN``): no sort
of the matches and no scan of the table, so a page costs the same however many rows there are
(the benchmark's ``scale`` scenario measures it at 10k, 100k and 1M rows)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import ClauseElement, Engine, text

from taskhub.adapters.sqlalchemy.activity import status_count_query
from taskhub.adapters.sqlalchemy.repositories import task_list_query, user_list_query
from taskhub.adapters.sqlalchemy.store import session_factory
from taskhub.adapters.sqlalchemy.tables import tasks
from taskhub.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from taskhub.application.paging import Position
from taskhub.application.ports import TaskFilter
from taskhub.domain.task import Operation, TaskName, TaskStatus
from tests.integration.plans import Explain, index_names, node_types

TASKS, USERS = 60_000, 20_000
START = datetime(2026, 1, 1, tzinfo=UTC)
A_USER = UUID(int=7)  # every 50th task is on this user
PAGE = 51  # a page of 50 and one more, as the application asks
BY_TIME = "ix_tasks_created_at_id"

# Each filter and the indexes a plan may read for it. A filter that matches a quarter of the
# tasks is rightly served by reading the list's own order and skipping the rest (about four rows
# read per row listed); a rare one needs its own index, or a page would read the whole table.
FILTERS = {
    "none": (TaskFilter(), {BY_TIME}),
    "rare status": (TaskFilter(status=TaskStatus.FAILED), {"ix_tasks_status_created_at_id"}),
    "common status": (
        TaskFilter(status=TaskStatus.DONE),
        {"ix_tasks_status_created_at_id", BY_TIME},
    ),
    "operation": (
        TaskFilter(operation=Operation.UPDATE),
        {"ix_tasks_operation_created_at_id", BY_TIME},
    ),
    "task_name": (
        TaskFilter(task_name=TaskName.GET_USER),
        {"ix_tasks_task_name_created_at_id", BY_TIME},
    ),
    "related_id": (TaskFilter(related_id=A_USER), {"ix_tasks_related_id_created_at_id"}),
    "created": (
        TaskFilter(created_after=START, created_before=START + timedelta(hours=500)),
        {BY_TIME},
    ),
    "status and operation": (
        TaskFilter(status=TaskStatus.FAILED, operation=Operation.READ),
        {"ix_tasks_status_created_at_id", "ix_tasks_operation_created_at_id"},
    ),
}
ROW_BY_ROW = {"Sort", "Incremental Sort", "Seq Scan", "Bitmap Heap Scan"}


@pytest.fixture(scope="module")
def seeded(postgres_engine: Engine) -> Iterator[Engine]:
    """The session's database with TASKS tasks, one a minute, and USERS users, analysed."""
    with postgres_engine.begin() as connection:
        connection.execute(text("TRUNCATE users, tasks, administrators, api_tokens, workers"))
        connection.execute(
            text(
                "INSERT INTO tasks (id, status, task_name, operation, related_table, related_id,"
                " input_data, result, progress, attempt, version, created_at, updated_at)"
                " SELECT gen_random_uuid(),"
                " CASE i % 100 WHEN 0 THEN 'FAILED' WHEN 1 THEN 'PENDING' ELSE 'DONE' END,"
                " (ARRAY['get_user','create_user','update_user','delete_user'])[i % 4 + 1],"
                " (ARRAY['READ','CREATE','UPDATE','DELETE'])[i % 4 + 1], 'users',"
                " CASE WHEN i % 50 = 0 THEN CAST(:user AS uuid) ELSE gen_random_uuid() END,"
                " '{}', '{}', 100, 1, 2, :start + i * interval '1 minute',"
                " :start + i * interval '1 minute' FROM generate_series(1, :count) AS i"
            ),
            {"user": str(A_USER), "start": START, "count": TASKS},
        )
        connection.execute(
            text(
                "INSERT INTO users (id, username, email, email_key, first_name, last_name,"
                " is_active, date_joined, version) SELECT gen_random_uuid(), 'u' || i,"
                " 'u' || i || '@example.com', 'u' || i || '@example.com', '', '', true,"
                " :start + i * interval '1 second', 1 FROM generate_series(1, :count) AS i"
            ),
            {"start": START, "count": USERS},
        )
        connection.execute(text("ANALYZE tasks"))
        connection.execute(text("ANALYZE users"))
    yield postgres_engine
    with postgres_engine.begin() as connection:
        connection.execute(text("TRUNCATE users, tasks"))


def plan_of(engine: Engine, query: ClauseElement) -> dict[str, object]:
    with engine.connect() as connection:
        plan: dict[str, object] = connection.execute(Explain(query)).scalar_one()[0]["Plan"]
    return plan


def deep_position(engine: Engine, where: TaskFilter) -> Position:
    """Where a page deep in the filtered list starts: past four fifths of its matches."""
    matches = task_list_query(where, None, TASKS).with_only_columns(tasks.c.created_at, tasks.c.id)
    with engine.connect() as connection:
        rows = connection.execute(matches).all()
    at, task_id = rows[len(rows) * 4 // 5]
    return Position(at, task_id)


@pytest.mark.parametrize("deep", [False, True], ids=["first page", "deep page"])
@pytest.mark.parametrize("name", list(FILTERS))
def test_each_task_list_filter_reads_its_index_in_order(
    seeded: Engine, name: str, deep: bool
) -> None:
    where, indexes = FILTERS[name]
    after = deep_position(seeded, where) if deep else None
    plan = plan_of(seeded, task_list_query(where, after, PAGE))
    assert index_names(plan), plan
    assert index_names(plan) <= indexes, plan
    assert not ROW_BY_ROW & node_types(plan), plan


@pytest.mark.parametrize("deep", [False, True], ids=["first page", "deep page"])
def test_the_user_list_reads_its_index_in_order(seeded: Engine, deep: bool) -> None:
    after = Position(START + timedelta(seconds=USERS * 4 // 5), UUID(int=0)) if deep else None
    plan = plan_of(seeded, user_list_query(after, PAGE))
    assert "ix_users_date_joined_id" in index_names(plan), plan
    assert not ROW_BY_ROW & node_types(plan), plan


def test_the_overview_estimates_a_large_status_and_counts_the_rest_on_their_index(
    seeded: Engine,
) -> None:
    """Of the seeded tasks 98% are DONE, 1% FAILED and 1% PENDING: above 10,000 tasks a status
    is the planner's estimate (within a tenth here, where the sample is the whole table), and the
    rest are counted exactly, reading the status index rather than the table."""
    with SqlAlchemyUnitOfWork(session_factory(seeded)) as uow:
        counts = uow.tasks.count_by_status(exact_up_to=10_000)
        exact = uow.tasks.count_by_status()
    assert counts.estimated == {TaskStatus.DONE}
    assert (counts[TaskStatus.FAILED], counts[TaskStatus.PENDING]) == (600, 600)
    assert abs(counts[TaskStatus.DONE] - 58_800) < 5_880
    assert exact.estimated == set()
    assert dict(exact) == {TaskStatus.DONE: 58_800, TaskStatus.FAILED: 600, TaskStatus.PENDING: 600}
    plan = plan_of(seeded, status_count_query(set(TaskStatus) - {TaskStatus.DONE}))
    assert "ix_tasks_status_created_at_id" in index_names(plan), plan
    assert "Seq Scan" not in node_types(plan), plan
