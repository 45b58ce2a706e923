"""The library API: ``taskhub.connect()`` and the ``Hub`` it returns."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from types import TracebackType
from typing import Any, Self

from taskhub.application.administrators import Administrators
from taskhub.application.commands import Command
from taskhub.application.paging import DEFAULT_PAGE_SIZE, Page
from taskhub.application.ports import TaskFilter
from taskhub.application.retention import PurgeReport
from taskhub.application.service import TaskService
from taskhub.application.tokens import ApiTokens
from taskhub.application.users.commands import (
    CreateUser,
    DeleteUser,
    GetUser,
    ListUsers,
    ReplaceUser,
    UpdateUser,
)
from taskhub.bootstrap import Container, build_container, shut_down, start
from taskhub.bootstrap.metrics import keep_metrics_in_process_unless_chosen
from taskhub.domain.task import Operation, Task, TaskName, TaskStatus
from taskhub.entrypoints.arguments import Id, as_choice, as_duration, as_uuid
from taskhub.settings import Settings


class Users:
    """Each call submits a task and returns it at once (PENDING, or finished on an inline bus)."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    def create(self, **fields: Any) -> Task:
        return self._hub.submit(CreateUser(values=fields))

    def get(self, user_id: Id) -> Task:
        return self._hub.submit(GetUser(user_id=as_uuid(user_id, "user_id")))

    def list(
        self, cursor: str | None = None, page_size: int = DEFAULT_PAGE_SIZE, count: bool = False
    ) -> Task:
        """A page of users by date joined: the first, or the one after ``cursor`` (the
        ``next`` of the result before). With ``count``, the result also says how many."""
        return self._hub.submit(ListUsers(cursor=cursor, page_size=page_size, count=count))

    def update(self, user_id: Id, **changes: Any) -> Task:
        """Change only the fields given (PATCH)."""
        return self._hub.submit(UpdateUser(user_id=as_uuid(user_id, "user_id"), values=changes))

    def replace(self, user_id: Id, **fields: Any) -> Task:
        """Replace every field; those not given return to their defaults (PUT)."""
        return self._hub.submit(ReplaceUser(user_id=as_uuid(user_id, "user_id"), values=fields))

    def delete(self, user_id: Id) -> Task:
        return self._hub.submit(DeleteUser(user_id=as_uuid(user_id, "user_id")))


class Tasks:
    def __init__(self, hub: Hub) -> None:
        self._service = hub.service

    def get(self, task_id: Id) -> Task:
        return self._service().get(as_uuid(task_id, "task_id"))

    def list(
        self,
        *,
        status: TaskStatus | str | None = None,
        operation: Operation | str | None = None,
        task_name: TaskName | str | None = None,
        related_id: Id | None = None,
        cursor: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        count: bool = False,
    ) -> Page[Task]:
        """Tasks newest first, filtered by whichever of the criteria are given: the first page,
        or the one after ``cursor`` (a page's ``next``); with how many match, if ``count``."""
        where = TaskFilter(
            status=as_choice(TaskStatus, status, "status") if status else None,
            operation=as_choice(Operation, operation, "operation") if operation else None,
            task_name=as_choice(TaskName, task_name, "task_name") if task_name else None,
            related_id=as_uuid(related_id, "related_id") if related_id else None,
        )
        return self._service().list(where, cursor, page_size, count)

    def wait(self, task_id: Id, timeout: float = 30.0) -> Task:
        """Block until the task is DONE, FAILED or CANCELLED; raise TimeoutError after
        ``timeout`` seconds."""
        return self._service().wait(as_uuid(task_id, "task_id"), timeout)

    def cancel(self, task_id: Id) -> Task:
        """Cancel a task; return it as the cancel left it. One no runner holds is CANCELLED at
        once; a running one stops at its next safe point, or finishes, its
        ``cancel_requested_at`` then saying the cancel came too late. Harmless twice; raises
        ``TaskAlreadyFinished`` for a DONE or FAILED task."""
        return self._service().cancel(as_uuid(task_id, "task_id"))

    def retry(self, task_id: Id) -> Task:
        """Submit a FAILED or CANCELLED task again, as a new task (its ``retry_of`` names the
        original, whose ``retried_by`` names it); return it as ``Hub.submit`` does. Raises
        ``TaskNotRetryable`` for another status, ``TaskAlreadyRetried`` for a second retry,
        ``TaskRedacted`` for a task redacted since its user was deleted."""
        service = self._service()
        return service.get(service.retry(as_uuid(task_id, "task_id")).id)

    def follow(self, task_id: Id, timeout: float | None = None) -> Iterator[Task]:
        """The task now, then each time it changes, until it is finished (the last one yielded)
        or ``timeout`` seconds have passed; woken by its events, so no polling loop is needed.
        ``TaskNotFound`` at once if there is no such task."""
        service, task_uuid = self._service(), as_uuid(task_id, "task_id")
        service.get(task_uuid)  # an unknown task raises here, not on iteration
        states = service.follow(task_uuid, longest=timeout)
        return (task for task in states if task is not None)

    def run(self, task_id: Id) -> Task:
        """Run a task here and now (what a worker does); harmless if it already ran."""
        return self._service().run(as_uuid(task_id, "task_id"))

    def purge(
        self, older_than: timedelta | str | None = None, *, dry_run: bool = False
    ) -> PurgeReport:
        """Delete the tasks that finished longer ago than ``older_than`` (``"30d"``, a
        ``timedelta``; default ``TASKHUB_TASK_RETENTION``), reads at ``TASKHUB_READ_RETENTION``
        if sooner, and redact the tasks of users deleted longer ago than
        ``TASKHUB_REDACT_AFTER``; ``dry_run`` only counts. A task on its way is never touched."""
        age = None if older_than is None else as_duration(older_than, "older_than")
        return self._service().purge(age, dry_run)


class Hub:
    """taskhub in one object: ``hub.users`` submits work, ``hub.tasks`` follows it."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.users = Users(self)
        self.tasks = Tasks(self)

    @property
    def administrators(self) -> Administrators:
        """The console's accounts: ``create``, ``ensure`` and ``list`` them (not tasks: each
        answers at once)."""
        return self.container.administrators()

    @property
    def tokens(self) -> ApiTokens:
        """The HTTP API's bearer tokens: ``create`` (its secret shown once), ``list``, ``revoke``
        and ``authenticate`` them (not tasks either)."""
        return self.container.api_tokens()

    def service(self) -> TaskService:
        """The task service every entrypoint shares, as the container wires it now."""
        return self.container.service()

    def submit(self, command: Command) -> Task:
        """Submit any command of the catalogue; return its task as it stands once dispatched
        (finished already on an inline bus)."""
        service = self.service()
        return service.get(service.submit(command).id)

    def close(self) -> None:
        """Finish the running tasks and release connections and threads."""
        shut_down(self.container)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def connect(settings: Settings | None = None, **overrides: Any) -> Hub:
    """A Hub wired from ``settings`` (default: the environment), with keyword ``overrides``.

    With nothing set, everything runs in this process and needs no services. The store is ready
    when it returns (see ``taskhub.bootstrap.start``); close the hub to release it. Its metrics
    stay in this process's memory, whatever ``PROMETHEUS_MULTIPROC_DIR`` says, unless the
    process imported prometheus-client before: then its own choice stands.
    """
    keep_metrics_in_process_unless_chosen()
    if settings is None:
        return Hub(start(build_container(Settings.from_env(**overrides))))
    return Hub(start(build_container(settings.replaced(**overrides))))
