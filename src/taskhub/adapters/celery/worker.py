"""The consuming side of the Celery bus: the task that receives a taskhub task's id.

Like a view, it only translates: the message's id goes to ``run`` (the task service's), and a
store outage becomes a retry of the message later.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded

from taskhub.adapters.celery.app import RUN_TASK
from taskhub.application.ports import StoreUnavailable
from taskhub.domain.task import Task

# What a worker raises in a task that ran past its soft time limit: the runner fails the task.
TIME_LIMIT_ERRORS: tuple[type[BaseException], ...] = (SoftTimeLimitExceeded,)


def register_run_task(app: Celery, run: Callable[[UUID], Task]) -> None:
    """Register on ``app`` the task the bus publishes (``RUN_TASK``), calling ``run``."""

    @app.task(  # type: ignore[untyped-decorator]
        name=RUN_TASK, autoretry_for=(StoreUnavailable,), retry_backoff=True, max_retries=5
    )
    def run_task(task_id: str) -> str:
        """Run one taskhub task; a database outage retries the message later."""
        return str(run(UUID(task_id)).status)
