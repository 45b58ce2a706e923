"""A task bus that publishes to Celery by task name: at least once, bounded in time."""

from __future__ import annotations

from uuid import UUID

from celery import Celery

from taskhub.adapters.celery.app import RUN_TASK
from taskhub.application.ports import DispatchFailed

# One quick retry: a broker that is down answers at once; a request must not wait on it.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


class CeleryBus:
    """Publishes a task's id; the Celery task id is the taskhub task id, so duplicates show."""

    def __init__(self, app: Celery) -> None:
        self._app = app

    def ping(self) -> None:
        """Raise unless the broker accepts a connection now (for readiness probes)."""
        with self._app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2)

    def dispatch(self, task_id: UUID) -> None:
        try:
            self._app.send_task(
                RUN_TASK,
                args=[str(task_id)],
                task_id=str(task_id),
                retry=True,
                retry_policy=RETRY_POLICY,
            )
        except Exception as error:  # kombu raises several kinds for one outage
            raise DispatchFailed(f"Could not publish task {task_id}: {error}") from error
