"""Each worker process builds its own container when Celery starts it, whatever the pool, and
the plain ``celery -A taskhub.entrypoints.worker`` command (the README's) finds the app."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

from taskhub.domain.task import TaskStatus
from taskhub.testing import user_fields
from tests.integration.conftest import hub_for
from tests.processes import RedisServer, Worker
from tests.stack import stack_env

CELERY = [sys.executable, "-m", "celery", "-A", "taskhub.entrypoints.worker", "worker"]
WORKERS = {
    "prefork": ("--pool=prefork", None),  # each child at worker_process_init
    "solo": ("--pool=solo", None),  # the one process, at worker_process_init too
    "threads": ("--pool=threads", None),  # no process_init: at worker_init
    "celery-command": ("--loglevel=INFO", CELERY),
}


@pytest.mark.parametrize("kind", WORKERS)
def test_a_worker_of_each_kind_runs_tasks_to_done(
    kind: str,
    database_url: str,
    private_redis: RedisServer,
    start_worker: Callable[..., Worker],
) -> None:
    env = stack_env(database_url, private_redis.url)
    option, command = WORKERS[kind]
    start_worker(env, option, "--concurrency=2", command=command)
    with hub_for(env) as hub:
        tasks = [hub.users.create(**user_fields()) for _ in range(4)]
        finished = [hub.tasks.wait(task.id, timeout=30) for task in tasks]
    assert [(task.status, task.attempt) for task in finished] == [(TaskStatus.DONE, 1)] * 4
