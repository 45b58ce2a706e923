"""The scale scenario: list pages as the tables grow, seeded in bulk by SQL.

The store grows to each size in turn (tasks and users, ``INSERT … SELECT generate_series``, then
``ANALYZE``); at each size every page is asked once per round, one request at a time on the idle
deployment: the task list's first page and a deep one (the page after the first ``size / 2``
matches, reached by its cursor as a client following ``next`` links reaches it; the issue's page
10,000 of 1M rows), also under each filter, and the user list's (a ``list_users`` task, timed by
its own timestamps). The deep pages' cursors are found by SQL before the timing. A figure is
named ``scale_<what>_<size>_ms``; ``scale_<what>_ratio`` is its time at the largest size over the
smallest, in the same round.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import aiohttp
import psycopg2

from benchmarks.scenarios import FINAL, Context, Figures, moment
from taskhub.application.paging import Position, cursor_for

PAGE_SIZE = 50
SPACING_SECONDS = 0.05  # between seeded tasks: 1M of them span 14 h, inside every retention
SEED_TASKS = """
INSERT INTO tasks (id, status, task_name, operation, related_table, related_id, input_data,
                   result, progress, attempt, version, redispatches, created_at, updated_at)
SELECT gen_random_uuid(),
       CASE WHEN n %% 10 = 0 THEN 'FAILED' ELSE 'DONE' END,
       (ARRAY['create_user', 'update_user', 'get_user', 'delete_user'])[n %% 4 + 1],
       (ARRAY['CREATE', 'UPDATE', 'READ', 'DELETE'])[n %% 4 + 1],
       'users', gen_random_uuid(), jsonb_build_object('username', 'seed' || n),
       jsonb_build_object('success', true, 'progress', 100), 100, 1, 3, 0,
       %(now)s - make_interval(secs => n * %(spacing)s),
       %(now)s - make_interval(secs => n * %(spacing)s)
FROM generate_series(%(start)s, %(stop)s - 1) AS n
"""
SEED_USERS = """
INSERT INTO users (id, username, email, first_name, last_name, is_active, date_joined,
                   email_key, version)
SELECT gen_random_uuid(), 'seed' || n, 'seed' || n || '@example.com', 'Seed', '', true,
       %(now)s - make_interval(secs => n * %(spacing)s), 'seed' || n || '@example.com', 0
FROM generate_series(%(start)s, %(stop)s - 1) AS n
"""


def scale(context: Context, sizes: list[int], rounds: int) -> list[Figures]:
    """Each round's figures of every page at every size."""
    now = datetime.now(UTC)
    measured: list[Figures] = [{} for _ in range(rounds)]
    seeded = 0
    for size in sizes:
        seconds = _seed(context.deployment.database_url, seeded, size, now)
        seeded = size
        for figures in measured:
            figures[f"scale_seed_{size}_s"] = seconds
        pages = _pages(context.deployment.database_url, size, now)
        # Untimed, at each size: the first query of each kind after the seeding's ANALYZE
        # reloads the table's statistics in the backend that runs it (a planning cost of several
        # milliseconds, once per connection), which no steady state pays.
        _pass(context, pages, size)
        for figures in measured:
            figures |= _pass(context, pages, size)
    for figures in measured:
        for name in [n for n in figures if n.endswith(f"_{sizes[-1]}_ms")]:
            what = name.removesuffix(f"_{sizes[-1]}_ms")
            smallest = figures.get(f"{what}_{sizes[0]}_ms")
            if smallest:
                figures[f"{what}_ratio"] = figures[name] / smallest
    return measured


def _pass(context: Context, pages: dict[str, str], size: int) -> Figures:
    """One request of every page; then the ``list_users`` tasks its user pages submitted are
    deleted, or they would pile up at the head of the task list (each with a page of users in
    its result), and its newest page would grow with every pass rather than with the table."""
    figures = asyncio.run(_measure(context.deployment.web_url, pages, size))
    connection = psycopg2.connect(context.deployment.database_url)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM tasks WHERE task_name = 'list_users'")
    finally:
        connection.close()
    return figures


def _seed(database_url: str, start: int, stop: int, now: datetime) -> float:
    began = time.monotonic()
    connection = psycopg2.connect(database_url)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            values = {"start": start, "stop": stop, "now": now, "spacing": SPACING_SECONDS}
            cursor.execute(SEED_TASKS, values)
            cursor.execute(SEED_USERS, values)
            cursor.execute("ANALYZE tasks")
            cursor.execute("ANALYZE users")
    finally:
        connection.close()
    return time.monotonic() - began


def _pages(database_url: str, size: int, now: datetime) -> dict[str, str]:
    """Every page to ask at ``size``: its name and path."""
    middle_at = now - timedelta(seconds=size / 2 * SPACING_SECONDS)
    middle = middle_at.replace(tzinfo=None)
    related = _one_related_id(database_url)
    filters = {  # the query, its SQL, how many match
        "status": ("status=FAILED", "status = 'FAILED'", size // 10),
        "operation": ("operation=UPDATE", "operation = 'UPDATE'", size // 4),
        "task_name": ("task_name=update_user", "task_name = 'update_user'", size // 4),
        "created_after": (f"created_after={middle.isoformat()}", "created_at >= %(middle)s",
                          size // 2),
        "created_before": (f"created_before={middle.isoformat()}", "created_at < %(middle)s",
                           size // 2),
    }  # fmt: skip
    first = f"page_size={PAGE_SIZE}"
    pages = {
        "tasks_first": f"/api/tasks/?{first}",
        "tasks_deep": f"/api/tasks/?{first}&cursor={_deep(database_url, 'true', size, middle_at)}",
        "tasks_related_id": f"/api/tasks/?related_id={related}&{first}",
    }
    for name, (query, sql, matches) in filters.items():
        cursor = _deep(database_url, sql, matches, middle_at)
        pages[f"tasks_{name}_first"] = f"/api/tasks/?{query}&{first}"
        pages[f"tasks_{name}_deep"] = f"/api/tasks/?{query}&{first}&cursor={cursor}"
    pages["users_first"] = f"/api/users/?{first}"
    pages["users_deep"] = f"/api/users/?{first}&cursor={_deep(database_url, None, size, middle_at)}"
    return pages


def _deep(database_url: str, where: str | None, matches: int, middle: datetime) -> str:
    """The cursor of the page after the first half of the matches: the tasks matching ``where``
    (newest first), or the users (``None``: by date joined)."""
    query = (
        f"SELECT created_at, id FROM tasks WHERE {where} ORDER BY created_at DESC, id DESC"
        if where is not None
        else "SELECT date_joined, id FROM users ORDER BY date_joined, id"
    )
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"{query} OFFSET %(skip)s LIMIT 1", {"skip": max(matches // 2, 1), "middle": middle}
            )
            at, row_id = cursor.fetchone()
    finally:
        connection.close()
    return cursor_for(Position(at, UUID(str(row_id))))


def _one_related_id(database_url: str) -> str:
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT related_id FROM tasks WHERE related_id IS NOT NULL LIMIT 1")
            return str(cursor.fetchone()[0])
    finally:
        connection.close()


async def _measure(url: str, pages: dict[str, str], size: int) -> Figures:
    """One request of each page: the task list's as the client saw it, the user list's from
    its task's own timestamps (the page is made by the worker)."""
    figures: Figures = {}
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(url, timeout=timeout) as session:
        for name, path in pages.items():
            began = time.monotonic()
            async with session.get(path) as response:
                body = await response.json()
                status = response.status
            if name.startswith("users_"):
                if status != 202:
                    raise RuntimeError(f"{path}: {status} {body}")
                figures[f"scale_{name}_{size}_ms"] = await _task_ms(session, body["task_id"])
            else:
                if status != 200:
                    raise RuntimeError(f"{path}: {status} {body}")
                figures[f"scale_{name}_{size}_ms"] = (time.monotonic() - began) * 1000
    return figures


async def _task_ms(session: aiohttp.ClientSession, task_id: str) -> float:
    while True:
        async with session.get(f"/api/tasks/{task_id}/status/") as response:
            task: dict[str, Any] = await response.json()
        if task["status"] in FINAL:
            if task["status"] != "DONE":
                raise RuntimeError(f"list_users ended {task['status']}: {task['result']}")
            return (moment(task["updated_at"]) - moment(task["created_at"])) * 1000
        await asyncio.sleep(0.005)
