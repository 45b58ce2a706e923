"""Reading tasks: by id, filtered and paged, or waiting for one to finish."""

from __future__ import annotations

import time
from uuid import UUID

from taskhub.application.ports import Page, TaskFilter, UnitOfWorkFactory
from taskhub.domain.commands import DEFAULT_PAGE_SIZE, check_page
from taskhub.domain.errors import TaskNotFound
from taskhub.domain.task import Task


def get_task(task_id: UUID, uow_factory: UnitOfWorkFactory) -> Task:
    with uow_factory() as uow:
        task = uow.tasks.get(task_id)
    if task is None:
        raise TaskNotFound(task_id)
    return task


def list_tasks(
    uow_factory: UnitOfWorkFactory,
    where: TaskFilter | None = None,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> Page[Task]:
    """Matching tasks, newest first, one bounded page at a time."""
    check_page(page, page_size)
    with uow_factory() as uow:
        return uow.tasks.list(where or TaskFilter(), page, page_size)


def wait_for_task(
    task_id: UUID, uow_factory: UnitOfWorkFactory, timeout: float, interval: float = 0.02
) -> Task:
    """Poll until the task is DONE or FAILED; raise TimeoutError once ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        task = get_task(task_id, uow_factory)
        if task.is_finished:
            return task
        if time.monotonic() >= deadline:
            raise TimeoutError(f"Task {task_id} is still {task.status} after {timeout} seconds.")
        time.sleep(min(interval, max(deadline - time.monotonic(), 0)))
        interval = min(interval * 1.5, 0.5)
