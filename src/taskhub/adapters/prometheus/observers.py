"""What taskhub's steps count: a task observer, and the HTTP requests a web process answers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from taskhub.adapters.prometheus.metrics import http_metrics, task_metrics
from taskhub.domain.task import Task

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "(unmatched)"  # the route of a request that no route matched: a 404 or 405


def _task(task: Task) -> tuple[str, str]:
    return str(task.task_name), str(task.operation)


class TaskMetricsObserver:
    """A task observer (``taskhub.application.ports.TaskObserver``) that counts each step."""

    def __init__(self, tasks: Iterable[tuple[str, str]] = ()) -> None:
        self._metrics = task_metrics()
        self._metrics.initialise(tasks)

    def submitted(self, task: Task) -> None:
        self._metrics.submitted.labels(*_task(task)).inc()

    def started(self, task: Task) -> None:
        self._metrics.started.labels(*_task(task)).inc()

    def finished(self, task: Task, started_at: datetime | None) -> None:
        if started_at is not None:
            ran = (task.updated_at - started_at).total_seconds()
            self._metrics.run_duration.labels(*_task(task), str(task.status)).observe(ran)
        self._end(task)

    def abandoned(self, task: Task) -> None:
        self._metrics.abandoned.labels(*_task(task)).inc()
        self._end(task)

    def redispatched(self, task: Task) -> None:
        self._metrics.redispatched.labels(*_task(task)).inc()

    def _end(self, task: Task) -> None:
        status, code = str(task.status), str((task.result or {}).get("code", ""))
        self._metrics.finished.labels(*_task(task), status, code).inc()
        waited = (task.updated_at - task.created_at).total_seconds()
        self._metrics.submit_to_done.labels(*_task(task), status).observe(waited)


class RequestMetrics:
    """Counts and times the requests a web process answers."""

    def __init__(self) -> None:
        self._metrics = http_metrics()

    def observe(self, method: str, route: str | None, status: int, seconds: float) -> None:
        """``route`` is the matched route's template (``None``: no route matched)."""
        method = method if method in METHODS else "other"
        route = route or UNMATCHED
        self._metrics.requests.labels(method, route, str(status)).inc()
        self._metrics.duration.labels(method, route).observe(seconds)
