"""The catalogue of operations: the one table from a task's name to its command and its handler.

Submitting writes a command into its Task; running rebuilds the command from the Task and hands
it to its handler. Both go through this table, so a new operation is one entry here, beside its
command and its handler (``docs/design/architecture.md`` lists every file).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from taskhub.application.cancellation import SafePoint
from taskhub.application.commands import Command, Result
from taskhub.application.ports import UnitOfWork
from taskhub.application.users import commands as users
from taskhub.application.users import handlers as user_handlers
from taskhub.domain.errors import DomainError
from taskhub.domain.task import Task, TaskName

C = TypeVar("C", bound=Command)


class UnknownOperation(DomainError):
    """A task names an operation this taskhub does not have (a newer one recorded it)."""

    code = "unknown_operation"

    def __init__(self, task_name: str) -> None:
        super().__init__(f"This taskhub has no operation named {task_name!r}.")


@dataclass(frozen=True)
class Entry(Generic[C]):
    """One operation: the command a client submits and the handler that performs it.

    The handler gets the command, the runner's unit of work, the time, and the task's safe
    point: an operation that can stop part-way (a list between batches) calls it there.
    """

    command: type[C]
    handler: Callable[[C, UnitOfWork, datetime, SafePoint], Result]

    def perform(self, task: Task, uow: UnitOfWork, now: datetime, safe_point: SafePoint) -> Result:
        """Rebuild the task's command and perform it in ``uow``; return the task's result."""
        return self.handler(self.command.from_task(task), uow, now, safe_point)


Catalogue = Mapping[TaskName, Entry[Any]]


def catalogue_of(*entries: Entry[Any]) -> Catalogue:
    """The entries by task name, read-only (a test makes its own catalogue to change one)."""
    return MappingProxyType({entry.command.task_name: entry for entry in entries})


CATALOGUE = catalogue_of(
    Entry(users.ListUsers, user_handlers.list_users),
    Entry(users.GetUser, user_handlers.get_user),
    Entry(users.CreateUser, user_handlers.create_user),
    Entry(users.UpdateUser, user_handlers.update_user),
    Entry(users.ReplaceUser, user_handlers.update_user),
    Entry(users.DeleteUser, user_handlers.delete_user),
)


def entry_for(task: Task, catalogue: Catalogue = CATALOGUE) -> Entry[Any]:
    try:
        return catalogue[task.task_name]
    except KeyError:
        raise UnknownOperation(str(task.task_name)) from None
