"""Marshmallow schemas: the API's request and response shapes, as the OpenAPI document shows them.

User fields are checked by the domain (``validate_user_fields``) before marshmallow sees them; the
field declarations here describe those same rules for the documentation, from the same constants.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow import fields

from taskhub.application.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from taskhub.domain.task import Operation, TaskName, TaskStatus
from taskhub.domain.user import (
    CONTROL_CHARACTERS,
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    validate_user_fields,
)

# The domain's username rule (``\w`` as Python reads it: letters of any script, digits, _).
USERNAME_PATTERN_DOC = r"^[\w.@+-]+$"
UUID_TEXT = {"format": "uuid"}
# The domain refuses unpaired surrogates too; a range of them is not a regex every tool accepts.
NAME = {
    "maxLength": NAME_MAX_LENGTH,
    "pattern": f"^[^{CONTROL_CHARACTERS}]*$",
    "description": "No control characters or unpaired surrogates.",
    "default": "",
}


def _choices(kind: type[Any]) -> dict[str, Any]:
    return {"enum": [member.value for member in kind]}


class UserCreateSchema(ma.Schema):
    """A user's fields; ``username`` and ``email`` are required, the others have defaults."""

    username = fields.String(
        required=True,
        metadata={"minLength": 1, "maxLength": NAME_MAX_LENGTH, "pattern": USERNAME_PATTERN_DOC},
    )
    email = fields.String(
        required=True, metadata={"format": "email", "maxLength": EMAIL_MAX_LENGTH}
    )
    first_name = fields.String(metadata=NAME)
    last_name = fields.String(metadata=NAME)
    is_active = fields.Boolean(metadata={"default": True})

    @ma.pre_load
    def _check_with_the_domain(self, data: Any, **kwargs: Any) -> Any:
        """Raise the domain's InvalidUserData, naming every bad, unknown or missing field."""
        if isinstance(data, Mapping):
            validate_user_fields(data, require_all=self.partial is not True)
        return data


class UserReplaceSchema(UserCreateSchema):
    """Every field of a user (PUT): the optional ones not given return to their defaults."""


class UserPatchSchema(UserCreateSchema):
    """Any subset of a user's fields (PATCH): only those given change."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class UserListArgsSchema(ma.Schema):
    """Which page of users to list; the domain bounds both numbers."""

    page = fields.Integer(load_default=1, metadata={"minimum": 1})
    page_size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE, metadata={"minimum": 1, "maximum": MAX_PAGE_SIZE}
    )


class TaskQueryArgsSchema(ma.Schema):
    """Filters of the task list; each one given must match."""

    status = fields.Enum(TaskStatus, by_value=True)
    operation = fields.Enum(Operation, by_value=True)
    task_name = fields.Enum(TaskName, by_value=True)
    related_id = fields.UUID()


class AcceptedSchema(ma.Schema):
    """A submitted task: follow it at ``status_endpoint``."""

    task_id = fields.String(required=True, metadata=UUID_TEXT)
    message = fields.String(required=True)
    status_endpoint = fields.String(required=True)


class TaskSchema(ma.Schema):
    """A task as the product publishes it (``Task.to_dict``)."""

    id = fields.String(required=True, metadata=UUID_TEXT)
    status = fields.String(required=True, metadata=_choices(TaskStatus))
    task_name = fields.String(required=True, metadata=_choices(TaskName))
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    updated_at = fields.String(required=True, metadata={"format": "date-time"})
    input_data = fields.Dict(required=True)
    result = fields.Dict(required=True, allow_none=True)
    progress = fields.Integer(required=True, metadata={"minimum": 0, "maximum": 100})
    related_table = fields.String(required=True)
    related_id = fields.String(required=True, allow_none=True, metadata=UUID_TEXT)
    operation = fields.String(required=True, metadata=_choices(Operation))
    attempt = fields.Integer(required=True, metadata={"minimum": 0})


class HealthSchema(ma.Schema):
    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String())


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details; ``code`` is stable, ``errors`` names each invalid field."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    code = fields.String(required=True)
    errors = fields.Dict(required=True, keys=fields.String(), values=fields.List(fields.String()))
