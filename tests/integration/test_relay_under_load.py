"""The relay and the heartbeat with real Celery workers: slow tasks kept, backlogs not flooded.

Before heartbeats, a task blocked past its lease was handed to a second worker, which blocked
too; before the backoff, the relay republished every queued task on every sweep (100 tasks
queued behind busy workers for 10 sweeps gave 1,100 messages).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from uuid import UUID, uuid4

import pytest
import redis

from taskhub.domain.task import TaskStatus
from taskhub.testing import user_fields
from tests.integration.conftest import hub_for, start_test_worker
from tests.integration.test_faults import (
    SETTLE,
    all_finished,
    assert_each_done_create_made_exactly_one_user,
    creates_stalled,
    relay_sweeping,
    running,
)
from tests.processes import RedisServer, Worker, eventually
from tests.stack import LEASE_SECONDS, stack_env

pytestmark = pytest.mark.slow


def test_a_task_blocked_for_three_leases_stays_with_its_live_worker(
    database_url: str, private_redis: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    """Two creates blocked three leases long keep their worker, and the third pool process stays
    free for other work. Without renewals the relay handed each on as its lease ran out, and the
    process that took it over blocked behind the first: every slot held, nothing else ran."""
    env = stack_env(database_url, private_redis.url)
    start_worker(env, "--concurrency=3")
    with hub_for(env) as hub, relay_sweeping(hub):
        with creates_stalled(hub):
            ids = [hub.users.create(**user_fields()).id for _ in range(2)]
            eventually(lambda: running(hub, 2), 30, "both tasks to be claimed")
            time.sleep(3 * LEASE_SECONDS)  # the stall under test: three leases long
            other = hub.tasks.wait(hub.users.get(uuid4()).id, timeout=10)
            assert other.result is not None
            assert other.result["code"] == "user_not_found", "the free process was not free"
            assert running(hub, 2) == dict.fromkeys(ids, 1), "a live worker's task was taken"
        tasks = eventually(lambda: all_finished(hub, ids), SETTLE, "both to finish")
    assert [(task.status, task.attempt) for task in tasks] == [(TaskStatus.DONE, 1)] * 2
    assert_each_done_create_made_exactly_one_user(hub, tasks)


def test_a_backlog_gets_a_few_messages_per_task_not_one_per_sweep(
    database_url: str, private_redis: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    """100 tasks wait 10 idles with no worker while the relay sweeps 5 times an idle."""
    env = stack_env(database_url, private_redis.url)
    idle = float(env["TASKHUB_RELAY_IDLE_SECONDS"])
    queue = redis.Redis.from_url(private_redis.url)
    with hub_for(env) as hub:
        ids: list[UUID] = [hub.users.create(**user_fields()).id for _ in range(100)]
        started = time.monotonic()
        with relay_sweeping(hub, every=idle / 5):
            time.sleep(10 * idle)
        waited = time.monotonic() - started
        messages = int(queue.llen(env["TASKHUB_QUEUE"]))
        bound = 100 * (1 + math.floor(math.log2(1 + waited / idle)))
        assert 100 < messages <= bound, f"{messages} messages for 100 tasks in {waited:.1f}s"
        start_worker(env, "--concurrency=2")
        tasks = eventually(lambda: all_finished(hub, ids), SETTLE, "the backlog to drain")
    assert [(task.status, task.attempt) for task in tasks] == [(TaskStatus.DONE, 1)] * 100
    assert_each_done_create_made_exactly_one_user(hub, tasks)
    print(f"backlog: {messages} messages for 100 tasks over {waited:.1f} s (bound {bound})")


def test_a_task_past_its_time_limit_ends_failed_saying_so(
    database_url: str, private_redis: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    env = {**stack_env(database_url, private_redis.url), "TASKHUB_TASK_TIME_LIMIT_SECONDS": "2"}
    start_test_worker(start_worker, env, "slow_worker", concurrency=1)
    with hub_for(env) as hub, relay_sweeping(hub):
        slow = hub.users.create(**user_fields(username="slow_one")).id
        after = hub.users.create(**user_fields()).id
        stopped, done = eventually(lambda: all_finished(hub, [slow, after]), SETTLE, "both")
    assert (stopped.status, stopped.attempt) == (TaskStatus.FAILED, 1)
    assert stopped.result is not None
    assert stopped.result["code"] == "time_limit_exceeded"
    assert "time limit" in stopped.result["error"]
    assert done.status is TaskStatus.DONE
    assert_each_done_create_made_exactly_one_user(hub, [stopped, done])
