"""Reading what must exist: a task a client or a message names, or ``TaskNotFound``."""

from __future__ import annotations

from uuid import UUID

from taskhub.application.ports import UnitOfWork
from taskhub.domain.errors import TaskNotFound
from taskhub.domain.task import Task


def stored_task(uow: UnitOfWork, task_id: UUID) -> Task:
    """The task as stored in ``uow``; raise ``TaskNotFound`` if there is none."""
    task = uow.tasks.get(task_id)
    if task is None:
        raise TaskNotFound(task_id)
    return task
