"""Cancel and retry with a real Celery worker on a private Redis and PostgreSQL: a running list
stops at its next safe point, a running create finishes saying the cancel came too late, and a
message queued for a task cancelled meanwhile does nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

import redis

from taskhub.domain.task import STOPPED, Task, TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.testing import user_fields
from tests.integration.conftest import hub_for, start_test_worker
from tests.integration.stoppable_worker import SLOW_PAGE_SIZE, STEP
from tests.processes import RedisServer, Worker, eventually
from tests.stack import stack_env

SETTLE = 60  # seconds: generous for a shared machine; each wait ends as soon as it can


def start_stoppable_worker(start_worker: Callable[..., Worker], env: dict[str, str]) -> None:
    start_test_worker(start_worker, env, "stoppable_worker", concurrency=1)


def test_a_running_list_stops_at_its_next_safe_point(
    database_url: str, private_redis: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    env = stack_env(database_url, private_redis.url)
    start_stoppable_worker(start_worker, env)
    with hub_for(env) as hub:
        task_id = hub.users.list(page_size=SLOW_PAGE_SIZE).id
        eventually(
            lambda: hub.tasks.get(task_id).status is TaskStatus.PROCESSING, SETTLE, "a claim"
        )
        asked = hub.tasks.cancel(task_id)
        started = time.monotonic()
        assert (asked.status, asked.cancel_requested_at is not None) == ("PROCESSING", True)
        stopped = eventually(lambda: _finished(hub, task_id), SETTLE, "the list to stop")
        took = time.monotonic() - started
        assert (stopped.status, stopped.attempt) == (TaskStatus.CANCELLED, 1)
        assert stopped.result == {"success": False, "error": STOPPED, "code": "cancelled",
                                  "progress": 10}  # fmt: skip
        assert took < 10 * STEP + 5, f"stopped {took:.1f} s after the cancel"
        after = hub.tasks.wait(hub.users.create(**user_fields()).id, timeout=SETTLE)
        assert after.status is TaskStatus.DONE, "the worker's slot was not given back"


def test_a_running_create_finishes_and_says_the_cancel_came_too_late(
    database_url: str, private_redis: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    env = stack_env(database_url, private_redis.url)
    start_stoppable_worker(start_worker, env)
    with hub_for(env) as hub:
        task_id = hub.users.create(**user_fields(username="slow_ada")).id
        eventually(
            lambda: hub.tasks.get(task_id).status is TaskStatus.PROCESSING, SETTLE, "a claim"
        )
        assert hub.tasks.cancel(task_id).status is TaskStatus.PROCESSING
        done = hub.tasks.wait(task_id, timeout=SETTLE)
        assert (done.status, done.attempt) == (TaskStatus.DONE, 1)
        assert done.cancel_requested_at is not None
        user = hub.tasks.wait(hub.users.get(done.related_id).id, timeout=SETTLE)  # type: ignore[arg-type]
        assert user.result["user"]["username"] == "slow_ada"  # type: ignore[index]


def test_a_message_queued_for_a_cancelled_task_does_nothing_and_a_retry_runs(
    database_url: str, private_redis: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    env = stack_env(database_url, private_redis.url)
    queue = redis.Redis.from_url(private_redis.url)
    with hub_for(env) as hub:
        queued = hub.users.create(**user_fields()).id  # no worker yet: its message waits
        assert queue.llen(env["TASKHUB_QUEUE"]) == 1
        assert hub.tasks.cancel(queued).status is TaskStatus.CANCELLED
        start_stoppable_worker(start_worker, env)
        retry = hub.tasks.retry(queued)
        ran = hub.tasks.wait(retry.id, timeout=SETTLE)  # one pool slot: after the first message
        cancelled = hub.tasks.get(queued)
        assert (ran.status, ran.retry_of) == (TaskStatus.DONE, queued)
        assert ran.result["user_id"] == str(cancelled.related_id)  # type: ignore[index]
        assert (cancelled.status, cancelled.attempt, cancelled.retried_by) == (
            TaskStatus.CANCELLED, 0, retry.id,
        )  # fmt: skip
        acked = lambda: queue.llen(env["TASKHUB_QUEUE"]) + queue.hlen("unacked") == 0  # noqa: E731
        eventually(acked, SETTLE, "both messages to be acked")


def _finished(hub: Hub, task_id: UUID) -> Task | None:
    task = hub.tasks.get(task_id)
    return task if task.is_finished else None
