"""The commands on users: what a client may ask of the user resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self
from uuid import UUID, uuid4

from taskhub.application.commands import Command
from taskhub.application.paging import DEFAULT_PAGE_SIZE, Position, check_paging
from taskhub.domain.errors import InvalidUserData
from taskhub.domain.task import Operation, Task, TaskName
from taskhub.domain.user_fields import OPTIONAL_FIELD_DEFAULTS, validate_user_fields


@dataclass(frozen=True)
class ListUsers(Command):
    """A page of users: the first, or the one after ``cursor`` (a page's ``next``); with how
    many there are, if ``count``."""

    cursor: str | None = None
    page_size: int = DEFAULT_PAGE_SIZE
    count: bool = False
    task_name = TaskName.LIST_USERS
    operation = Operation.READ

    def __post_init__(self) -> None:
        check_paging(self.cursor, self.page_size)

    @property
    def after(self) -> Position | None:
        """Where the page starts (after this user's place), or ``None`` for the first."""
        return check_paging(self.cursor, self.page_size)

    def input_data(self) -> dict[str, Any]:
        return {"cursor": self.cursor, "page_size": self.page_size, "count": self.count}

    @classmethod
    def from_task(cls, task: Task) -> Self:
        data = task.input_data
        size, count = data.get("page_size", DEFAULT_PAGE_SIZE), data.get("count", False)
        return cls(task_id=task.id, cursor=data.get("cursor"), page_size=size, count=count)


@dataclass(frozen=True)
class UserCommand(Command):
    """A command on one user, named by ``user_id`` (the task's related id)."""

    user_id: UUID

    @property
    def related_id(self) -> UUID | None:
        return self.user_id

    @classmethod
    def from_task(cls, task: Task) -> Self:
        if task.related_id is None:
            raise InvalidUserData({"related_id": ["A task on one user must name its user."]})
        return cls(task_id=task.id, user_id=task.related_id, **cls._arguments(task.input_data))

    @staticmethod
    def _arguments(input_data: Mapping[str, Any]) -> dict[str, Any]:
        return {}


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
    """A command carrying user fields, checked by the domain's rule when the command is made."""

    values: Mapping[str, Any] = field(default_factory=dict)
    every_field: ClassVar[bool] = True

    def __post_init__(self) -> None:
        cleaned = validate_user_fields(self.values, require_all=self.every_field)
        object.__setattr__(self, "values", cleaned)

    def input_data(self) -> dict[str, Any]:
        return dict(self.values)

    @staticmethod
    def _arguments(input_data: Mapping[str, Any]) -> dict[str, Any]:
        return {"values": input_data}


@dataclass(frozen=True)
class CreateUser(WriteUser):
    """Create a user; ``user_id`` is chosen now, so a re-run can never create a second user."""

    user_id: UUID = field(default_factory=uuid4)
    task_name = TaskName.CREATE_USER
    operation = Operation.CREATE


@dataclass(frozen=True)
class ReplaceUser(WriteUser):
    """PUT: every field given or reset to its default, recorded in full on the task."""

    task_name = TaskName.REPLACE_USER
    operation = Operation.UPDATE

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "values", {**OPTIONAL_FIELD_DEFAULTS, **self.values})


@dataclass(frozen=True)
class UpdateUser(WriteUser):
    """PATCH: only the fields given change."""

    every_field = False
    task_name = TaskName.UPDATE_USER
    operation = Operation.UPDATE
