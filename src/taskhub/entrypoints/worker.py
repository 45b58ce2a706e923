"""The Celery worker: ``taskhub worker``, or ``celery -A taskhub.entrypoints.worker worker``.

The Celery task is a thin adapter: it receives a task id and calls the application's runner. The
worker builds its own container, once per process (a forked pool child builds a fresh one), since
nothing wired in a parent may cross a fork.
"""

from __future__ import annotations

import os
import threading
from uuid import UUID

from celery import Task as CeleryTask
from celery.exceptions import SoftTimeLimitExceeded
from dependency_injector import providers

from taskhub.adapters.celery.app import RUN_TASK, make_celery
from taskhub.application.ports import StoreUnavailable
from taskhub.bootstrap import Container, build_container
from taskhub.settings import Settings

settings = Settings.from_env()
app = make_celery(
    settings.broker_url,
    settings.queue,
    settings.lease_seconds,
    settings.publish_timeout_seconds,
    settings.task_time_limit_seconds,
)
app.conf.worker_concurrency = settings.worker_concurrency  # the plain celery command uses it too

_containers: dict[int, Container] = {}
_lock = threading.Lock()


def container() -> Container:
    """This process's container, built on first use."""
    with _lock:
        if os.getpid() not in _containers:
            _containers.clear()
            built = build_container(settings)
            built.time_limits.override(providers.Object((SoftTimeLimitExceeded,)))
            _containers[os.getpid()] = built
        return _containers[os.getpid()]


@app.task(  # type: ignore[untyped-decorator]
    name=RUN_TASK,
    bind=True,
    autoretry_for=(StoreUnavailable,),
    retry_backoff=True,
    max_retries=5,
)
def run_task(self: CeleryTask, task_id: str) -> str:
    """Run one taskhub task; a database outage retries the message later."""
    return str(container().runner().run(UUID(task_id)).status)


def start(
    concurrency: int | None, queues: str | None, pool: str = "prefork", loglevel: str = "INFO"
) -> None:
    """Run a worker in this process until it is stopped (SIGTERM finishes the running tasks)."""
    app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency or settings.worker_concurrency}",
            f"--queues={queues or settings.queue}",
            f"--pool={pool}",
            f"--loglevel={loglevel}",
            "--without-gossip",
            "--without-mingle",
        ]
    )
