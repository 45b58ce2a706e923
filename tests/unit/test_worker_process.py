"""A worker process's container lives from Celery's start of the process to its end."""

from __future__ import annotations

from pathlib import Path

import pytest

import taskhub
from taskhub.adapters.celery.app import RUN_TASK
from taskhub.domain.task import TaskStatus
from taskhub.entrypoints.worker import WorkerProcess
from taskhub.testing import user_fields

NO_BROKER = "redis://127.0.0.1:9/0"  # nothing listens: a dispatch fails, the task stays PENDING


def test_a_worker_process_runs_tasks_only_between_its_start_and_its_stop(tmp_path: Path) -> None:
    settings = taskhub.Settings(
        database_url=f"sqlite:///{tmp_path / 'shared.sqlite3'}", bus="celery", broker_url=NO_BROKER
    )
    process = WorkerProcess(settings, configure=None)
    assert RUN_TASK in process.app.tasks
    with taskhub.connect(settings, bus="celery") as hub:
        task = hub.users.create(**user_fields())
    assert task.status is TaskStatus.PENDING
    with pytest.raises(RuntimeError, match="no container"):
        process.run(task.id)
    process.start()
    finished = process.run(task.id)
    assert (finished.status, finished.attempt) == (TaskStatus.DONE, 1)
    process.stop()
    with pytest.raises(RuntimeError, match="no container"):
        process.run(task.id)


def test_a_worker_process_starts_no_thread_pool_nor_relay_whatever_the_bus_setting(
    tmp_path: Path,
) -> None:
    """``TASKHUB_BUS=thread`` in a worker's environment must not make each process a service."""
    settings = taskhub.Settings(database_url=f"sqlite:///{tmp_path / 't.sqlite3'}", bus="thread")
    seen = []
    process = WorkerProcess(settings, configure=seen.append)
    process.start()
    (container,) = seen
    assert container.settings().bus == "celery"
    assert not container.relay_thread.initialized
    assert not container.thread_bus.initialized
    process.stop()
