"""Retention on the machine's PostgreSQL: purgers at once with a runner claiming tasks meanwhile,
a purge that skips what another transaction holds instead of waiting, and the index it uses.

The hub's sessions run with a lock timeout: a purge or a claim that waited for another's lock
would fail with ``lock_timeout`` rather than pass slowly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from dependency_injector import providers
from sqlalchemy import Engine, delete, text

import taskhub
from taskhub.adapters.sqlalchemy.retention import purge_batch, purgeable
from taskhub.adapters.sqlalchemy.tables import tasks
from taskhub.application.ports import Cutoff
from taskhub.application.retention import READS, WRITES, PurgeReport
from taskhub.domain.task import Operation, Task, TaskName
from taskhub.entrypoints.library import Hub
from taskhub.testing import a_task, user_fields
from tests.integration.plans import Explain, index_names

LEASE = timedelta(seconds=30)
INDEX = "ix_tasks_operation_status_updated_at"


class NoBus:
    def dispatch(self, task_id: UUID) -> None:
        """Leave the task PENDING so the test decides when it runs."""


@pytest.fixture
def hub(empty_postgres: Engine, postgres_url: str) -> Iterator[Hub]:
    """A hub on the empty PostgreSQL database, purging 50 tasks a batch, with a 2 s lock
    timeout; its submissions wait for the test to run them."""
    hub = taskhub.connect(
        database_url=postgres_url,
        bus="inline",
        db_pool_size=8,
        db_lock_timeout_seconds=2.0,
        purge_batch_size=50,
    )
    hub.container.task_bus.override(providers.Object(NoBus()))
    yield hub
    hub.close()


def ago(age: timedelta) -> datetime:
    return datetime.now(UTC) - age


def finished(
    age: timedelta, name: TaskName = TaskName.CREATE_USER, failed: bool = False, **kw: Any
) -> Task:
    operation = {
        TaskName.CREATE_USER: Operation.CREATE,
        TaskName.GET_USER: Operation.READ,
        TaskName.UPDATE_USER: Operation.UPDATE,
        TaskName.DELETE_USER: Operation.DELETE,
    }
    task = a_task(now=ago(age), task_name=name, operation=operation[name], **kw)  # fmt: skip
    task.start(ago(age), LEASE)
    if failed:
        task.fail("email_taken", "The email address 'ada@example.com' is already in use.", ago(age))
    else:
        task.succeed({"message": "Successfully did it to ada"}, ago(age))
    return task


def save(hub: Hub, made: list[Task]) -> list[UUID]:
    with hub.container.unit_of_work() as uow:
        for task in made:
            uow.tasks.add(task)
        uow.commit()
    return [task.id for task in made]


def deleted_users(hub: Hub, count: int) -> list[UUID]:
    """``count`` users deleted three days ago, each with a creation, a refused change and its
    deletion: tasks to redact, and not yet old enough to purge."""
    made = []
    for _ in range(count):
        user = uuid4()
        made += [
            finished(timedelta(days=3, hours=1), related_id=user),
            finished(timedelta(days=3, minutes=30), TaskName.UPDATE_USER, True, related_id=user),
            finished(timedelta(days=3), TaskName.DELETE_USER, related_id=user, input_data={}),
        ]
    return save(hub, made)


def in_threads(actions: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Run each action on a thread of its own, all started together; results and errors."""
    start, results, errors = threading.Barrier(len(actions)), [], []

    def run(action: Callable[[], object]) -> None:
        start.wait(timeout=30)
        try:
            results.append(action())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def statuses(hub: Hub, ids: list[UUID]) -> list[str | None]:
    with hub.container.unit_of_work() as uow:
        return [None if (t := uow.tasks.get(i)) is None else str(t.status) for i in ids]


def test_purgers_at_once_share_the_work_and_a_runner_claims_tasks_meanwhile(hub: Hub) -> None:
    old = timedelta(days=40)
    purgeable_writes = save(hub, [finished(old, failed=i % 5 == 0) for i in range(1200)])
    purgeable_reads = save(hub, [finished(old, TaskName.GET_USER) for _ in range(300)])
    to_redact = deleted_users(hub, 20)
    waiting = save(hub, [a_task(now=ago(old)) for _ in range(40)])  # PENDING since then
    running = [a_task(now=ago(old)) for _ in range(10)]
    for task in running:
        task.start(ago(timedelta(seconds=1)), timedelta(hours=1))  # a live runner's, for an hour
    running_ids = save(hub, running)
    runner = hub.container.runner()

    def run_tasks() -> list[str]:
        fresh = [hub.users.create(**user_fields()).id for _ in range(40)]
        return [str(runner.run(task_id).status) for task_id in [*waiting, *fresh]]

    purge: Callable[[], PurgeReport] = lambda: hub.service().purge()  # noqa: E731
    results, errors = in_threads([purge, purge, purge, purge, run_tasks])
    assert errors == []
    reports = [r for r in results if isinstance(r, PurgeReport)]
    assert sum(r.purged for r in reports) == len(purgeable_writes) + len(purgeable_reads)
    assert sum(r.purged_reads for r in reports) == len(purgeable_reads)
    assert sum(r.redacted for r in reports) == len(to_redact)
    assert next(r for r in results if isinstance(r, list)) == ["DONE"] * 80
    assert set(statuses(hub, [*purgeable_writes, *purgeable_reads])) == {None}
    assert statuses(hub, waiting) == ["DONE"] * 40
    assert statuses(hub, running_ids) == ["PROCESSING"] * 10
    with hub.container.unit_of_work() as uow:
        redacted = [uow.tasks.get(task_id) for task_id in to_redact]
    assert all(task is not None and task.redacted_at is not None for task in redacted)


def test_a_purge_skips_the_rows_another_transaction_holds_instead_of_waiting(
    hub: Hub, empty_postgres: Engine
) -> None:
    ids = save(hub, [finished(timedelta(days=40)) for _ in range(120)])
    held = ids[:10]
    with empty_postgres.connect() as other:
        other.execute(text("SELECT id FROM tasks WHERE id = ANY(:ids) FOR UPDATE"), {"ids": held})
        report = hub.service().purge()  # a wait would end in lock_timeout after 2 s
        assert report.purged == 110
        assert statuses(hub, held) == ["DONE"] * 10
        other.rollback()
    assert hub.service().purge().purged == 10


def test_a_purge_batch_and_its_dry_run_are_ranges_of_the_retention_index(
    empty_postgres: Engine,
) -> None:
    """On 60 000 tasks of which 1% are old enough, each kind of purge reads the index."""
    with empty_postgres.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO tasks (id, status, task_name, operation, related_table, related_id,"
                " input_data, result, progress, attempt, version, created_at, updated_at)"
                " SELECT gen_random_uuid(),"
                " (ARRAY['DONE','FAILED','PENDING','PROCESSING'])[i % 4 + 1],"
                " (ARRAY['get_user','create_user','update_user','delete_user'])[i % 4 + 1],"
                " (ARRAY['READ','CREATE','UPDATE','DELETE'])[(i / 4) % 4 + 1], 'user',"
                " gen_random_uuid(), '{}', '{}', 100, 1, 2, now() - i * interval '1 minute',"
                " now() - i * interval '1 minute' FROM generate_series(1, 60000) AS i"
            )
        )
        connection.execute(text("ANALYZE tasks"))
    before = datetime.now(UTC) - timedelta(minutes=59400)
    writes, reads = Cutoff(WRITES, before, before), Cutoff(READS, before, before)
    statements = {
        "purge": delete(tasks).where(tasks.c.id.in_(purge_batch(writes, 500))),
        "reads": delete(tasks).where(tasks.c.id.in_(purge_batch(reads, 500))),
        "dry run": purgeable(writes),
    }
    with empty_postgres.connect() as connection:
        for what, statement in statements.items():
            query = statement if what != "dry run" else tasks.select().where(statement)
            plan = connection.execute(Explain(query)).scalar_one()[0]["Plan"]
            assert INDEX in index_names(plan), (what, plan)
