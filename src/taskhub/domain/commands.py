"""Commands: what a client asks for. Each carries the ids it needs, generated at submission.

A command knows how it is recorded on its Task (name, operation, related id, input data) and how to
be rebuilt from that record, so the Task row is the whole message a worker needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from uuid import UUID, uuid4

from taskhub.domain.errors import InvalidQuery, InvalidUserData
from taskhub.domain.task import Operation, Task, TaskName
from taskhub.domain.user import OPTIONAL_FIELD_DEFAULTS, validate_user_fields

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def check_page(page: int, page_size: int) -> None:
    """Raise InvalidQuery unless the page number and size are in range."""
    errors = {}
    if not isinstance(page, int) or isinstance(page, bool) or page < 1:
        errors["page"] = ["Must be a whole number of at least 1."]
    if (
        not isinstance(page_size, int)
        or isinstance(page_size, bool)
        or not 1 <= page_size <= MAX_PAGE_SIZE
    ):
        errors["page_size"] = [f"Must be a whole number from 1 to {MAX_PAGE_SIZE}."]
    if errors:
        raise InvalidQuery(errors)


@dataclass(frozen=True)
class Command:
    task_name: ClassVar[TaskName]
    operation: ClassVar[Operation]
    task_id: UUID = field(default_factory=uuid4, kw_only=True)

    @property
    def related_id(self) -> UUID | None:
        return None

    def input_data(self) -> dict[str, Any]:
        """The JSON-ready arguments stored on the task (the request body, for writes)."""
        return {}


@dataclass(frozen=True)
class ListUsers(Command):
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    task_name = TaskName.LIST_USERS
    operation = Operation.READ

    def __post_init__(self) -> None:
        check_page(self.page, self.page_size)

    def input_data(self) -> dict[str, Any]:
        return {"page": self.page, "page_size": self.page_size}


@dataclass(frozen=True)
class UserCommand(Command):
    """A command on one user, named by ``user_id``."""

    user_id: UUID

    @property
    def related_id(self) -> UUID | None:
        return self.user_id


@dataclass(frozen=True)
class GetUser(UserCommand):
    task_name = TaskName.GET_USER
    operation = Operation.READ


@dataclass(frozen=True)
class DeleteUser(UserCommand):
    task_name = TaskName.DELETE_USER
    operation = Operation.DELETE


@dataclass(frozen=True)
class WriteUser(UserCommand):
    """A command carrying user fields, validated when the command is made."""

    values: Mapping[str, Any] = field(default_factory=dict)
    replace: ClassVar[bool] = True

    def __post_init__(self) -> None:
        cleaned = validate_user_fields(self.values, require_all=self.replace)
        object.__setattr__(self, "values", cleaned)

    def input_data(self) -> dict[str, Any]:
        return dict(self.values)


@dataclass(frozen=True)
class CreateUser(WriteUser):
    """Create a user; ``user_id`` is chosen now, so a re-run can never create a second user."""

    user_id: UUID = field(default_factory=uuid4)
    task_name = TaskName.CREATE_USER
    operation = Operation.CREATE


@dataclass(frozen=True)
class ReplaceUser(WriteUser):
    """PUT: every field given or reset to its default, so it is recorded as a full update."""

    task_name = TaskName.UPDATE_USER
    operation = Operation.UPDATE

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "values", {**OPTIONAL_FIELD_DEFAULTS, **self.values})


@dataclass(frozen=True)
class UpdateUser(WriteUser):
    """PATCH: only the fields given change."""

    replace = False
    task_name = TaskName.UPDATE_USER
    operation = Operation.UPDATE


def command_for(task: Task) -> Command:
    """Rebuild the command a task was submitted with, from what its record stores."""
    data, user_id, task_id = dict(task.input_data), task.related_id, task.id
    if task.task_name == TaskName.LIST_USERS:
        page, size = data.get("page", 1), data.get("page_size", DEFAULT_PAGE_SIZE)
        return ListUsers(task_id=task_id, page=page, page_size=size)
    if user_id is None:
        raise InvalidUserData({"related_id": ["A task on one user must name its user."]})
    if task.task_name == TaskName.GET_USER:
        return GetUser(task_id=task_id, user_id=user_id)
    if task.task_name == TaskName.DELETE_USER:
        return DeleteUser(task_id=task_id, user_id=user_id)
    if task.task_name == TaskName.CREATE_USER:
        return CreateUser(task_id=task_id, user_id=user_id, values=data)
    if task.task_name == TaskName.UPDATE_USER:
        return UpdateUser(task_id=task_id, user_id=user_id, values=data)
    raise InvalidUserData({"task_name": [f"Unknown task name {task.task_name!r}."]})
