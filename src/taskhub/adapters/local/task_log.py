"""One log line per step of a task's life, on the logger ``taskhub.tasks``.

Each line gives its ``event`` (``task.submitted``, ``task.started``, ``task.<final status>``:
``task.done``, ``task.failed`` or ``task.cancelled``, and ``task.redispatched``) and the task's
identifiers (``task_id``, ``task_name``, ``operation``, and the ``request_id`` of the request
that submitted it) as fields of its own, so a JSON line can be found by any of them; the message
says the same for a person. Never the task's input or result: they hold personal fields. A
failure says only its ``code``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from taskhub.application.log_context import task_fields
from taskhub.domain.task import Task

log = logging.getLogger("taskhub.tasks")


def _ms(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() * 1000, 1)


class TaskLog:
    """A task observer (``taskhub.application.ports.TaskObserver``) that logs each step."""

    def submitted(self, task: Task) -> None:
        _line(task, "task.submitted", "Task submitted")

    def started(self, task: Task) -> None:
        message = f"Task started (attempt {task.attempt})"
        _line(task, "task.started", message)

    def finished(self, task: Task, started_at: datetime | None) -> None:
        fields: dict[str, Any] = {"turnaround_ms": _ms(task.created_at, task.updated_at)}
        if started_at is not None:
            fields["duration_ms"] = _ms(started_at, task.updated_at)
        if code := _code(task):
            fields["code"] = code
        ended = str(task.status).lower()  # done, failed or cancelled
        message = f"Task {ended}" + (f": {code}" if code and code != ended else "")
        if "duration_ms" in fields:
            message += f" in {fields['duration_ms']:g} ms"
        _line(task, f"task.{ended}", message, fields)

    def abandoned(self, task: Task) -> None:
        message = f"Task abandoned after {task.attempt} attempts: {_code(task)}"
        _line(task, "task.failed", message, {"code": _code(task)}, logging.WARNING)

    def redispatched(self, task: Task) -> None:
        _line(task, "task.redispatched", "Task handed on again by the relay")


def _code(task: Task) -> str:
    return str((task.result or {}).get("code", ""))


def _line(
    task: Task,
    event: str,
    message: str,
    fields: dict[str, Any] | None = None,
    level: int = logging.INFO,
) -> None:
    facts = {"event": event, **task_fields(task), "status": str(task.status)}
    log.log(level, message, extra={**facts, "attempt": task.attempt, **(fields or {})})
