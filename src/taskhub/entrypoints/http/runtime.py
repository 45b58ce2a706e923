"""What one app needs at request time, kept in ``app.extensions["taskhub"]``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from uuid import UUID

from flask import current_app

from taskhub.application.ports import Idempotency, Page, TaskFilter
from taskhub.application.queries import get_task, list_tasks, wait_for_task
from taskhub.application.submission import submit
from taskhub.bootstrap import Container
from taskhub.domain.commands import Command
from taskhub.domain.task import Task
from taskhub.settings import Settings

log = logging.getLogger(__name__)

NO_SUCH_TASK = UUID(int=0)


def store_answers(container: Container) -> None:
    """Open a unit of work and read through it: the store is reachable."""
    with container.unit_of_work() as uow:
        uow.tasks.get(NO_SUCH_TASK)


def bus_answers(container: Container) -> None:
    """Resolve the bus; a bus with a broker behind it answers ``ping()`` (the hook for them)."""
    ping = getattr(container.task_bus(), "ping", None)
    if callable(ping):
        ping()


ReadinessCheck = Callable[[Container], None]


@dataclass
class Runtime:
    """The settings and the container of one app; one unit of work per call, as the style asks."""

    settings: Settings
    container: Container
    readiness_checks: Mapping[str, ReadinessCheck]

    def submit(self, command: Command, idempotency: Idempotency | None) -> Task:
        c = self.container
        bus, clock, publisher = c.task_bus(), c.clock(), c.event_publisher()
        return submit(command, c.unit_of_work, bus, clock, publisher, idempotency)

    def task(self, task_id: UUID, wait: float | None = None) -> Task:
        """The task now or, with ``wait``, once finished or after ``wait`` seconds at most."""
        if wait is None:
            return get_task(task_id, self.container.unit_of_work)
        try:
            return wait_for_task(task_id, self.container.unit_of_work, wait)
        except TimeoutError:
            return get_task(task_id, self.container.unit_of_work)

    def tasks(self, where: TaskFilter, page: int, page_size: int) -> Page[Task]:
        return list_tasks(self.container.unit_of_work, where, page, page_size)

    def readiness(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        """Run every readiness check: (passed, failed with why). Why stays vague; the log has it."""
        passed: dict[str, str] = {}
        failed: dict[str, list[str]] = {}
        for name, check in self.readiness_checks.items():
            try:
                check(self.container)
            except Exception:
                log.exception("Readiness check %r failed", name)
                failed[name] = ["Does not answer."]
            else:
                passed[name] = "ok"
        return passed, failed


def runtime() -> Runtime:
    """The current app's runtime."""
    found: Runtime = current_app.extensions["taskhub"]
    return found
