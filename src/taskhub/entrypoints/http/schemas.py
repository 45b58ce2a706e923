"""Marshmallow schemas: the API's request and response shapes, as the OpenAPI document shows them.

One place per rule. The domain judges a user's fields when the view makes the command
(``CreateUser(values=...)``): its ``InvalidUserData`` names each bad, unknown or missing field,
which ``problems`` answers as 422 ``invalid_user_data``. So a user body schema parses no further
than HTTP must (the body is a JSON object) and hands the members on as sent: its ``load`` runs
none of its fields. The fields are the body's documentation, built from the domain's constants.
Run, they would judge a second time, in other words, under another code (``invalid_input``), and
differently: marshmallow's ``Boolean`` takes ``"yes"``, which the domain refuses.

A task has one serialiser, ``Task.to_dict``, which the CLI and the library publish too.
``TaskSchema`` documents that shape and dumps by calling it; ``tests/http/test_schemas.py``
holds the two to one shape. HTTP's own shapes (the 202 body, health) are dumped by their fields.

Query arguments are parsed here, text into numbers, enums and UUIDs: that is reading HTTP, and
webargs refuses what it cannot read (422 ``invalid_query``). Page bounds are judged elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields
from marshmallow.exceptions import SCHEMA

from taskhub.application.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from taskhub.domain.task import Operation, Task, TaskName, TaskStatus
from taskhub.domain.time import in_utc
from taskhub.domain.user_fields import (
    CONTROL_CHARACTERS,
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    OPTIONAL_FIELD_DEFAULTS,
    USERNAME_CHARACTERS,
)

UUID_TEXT = {"format": "uuid"}
USERNAME = {"minLength": 1, "maxLength": NAME_MAX_LENGTH, "pattern": f"^[{USERNAME_CHARACTERS}]+$"}
# The domain refuses unpaired surrogates too; a range of them is not a regex every tool accepts.
NAME = {
    "maxLength": NAME_MAX_LENGTH,
    "pattern": f"^[^{CONTROL_CHARACTERS}]*$",
    "description": "No control characters or unpaired surrogates.",
}


CANCEL_ASKED = {
    "format": "date-time",
    "description": "When a cancel was asked: set on every CANCELLED task, and on a DONE or FAILED "
    "one whose cancel came too late (it had no safe point left).",
}

REDACTED = {
    "format": "date-time",
    "description": "When its user's personal fields were taken out of it, the user having been "
    "deleted (null: never); `[redacted]` then stands for each of them and for every message.",
}


def _link(what: str) -> dict[str, Any]:
    return {**UUID_TEXT, "description": f"The id of the task {what} (a retry)."}


def _choices(kind: type[Any]) -> dict[str, Any]:
    return {"enum": [member.value for member in kind]}


def _default(name: str) -> dict[str, Any]:
    return {"default": OPTIONAL_FIELD_DEFAULTS[name]}


class UserCreateSchema(ma.Schema):
    """A user's fields; ``username`` and ``email`` are required, the others have defaults."""

    username = fields.String(required=True, metadata=USERNAME)
    email = fields.String(
        required=True, metadata={"format": "email", "maxLength": EMAIL_MAX_LENGTH}
    )
    first_name = fields.String(metadata={**NAME, **_default("first_name")})
    last_name = fields.String(metadata={**NAME, **_default("last_name")})
    is_active = fields.Boolean(metadata=_default("is_active"))

    def load(self, data: Any, **_: Any) -> dict[str, Any]:
        """The members of the JSON object, as sent: the domain judges them, not these fields."""
        if not isinstance(data, Mapping):
            raise ma.ValidationError({SCHEMA: [self.error_messages["type"]]})
        return dict(data)


class UserReplaceSchema(UserCreateSchema):
    """Every field of a user (PUT): the optional ones not given return to their defaults."""


class UserPatchSchema(UserCreateSchema):
    """Any subset of a user's fields (PATCH): only those given change."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class PagingArgsSchema(ma.Schema):
    """Which page of a list: the first, or the one a page's ``next`` cursor names; the
    application judges the cursor and bounds the size."""

    cursor = fields.String(
        metadata={"description": "Where the page before ended: its `next` cursor, as given"}
    )
    page_size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE, metadata={"minimum": 1, "maximum": MAX_PAGE_SIZE}
    )
    count = fields.Boolean(
        load_default=False,
        metadata={"description": "Also count the whole list (it reads every match: ask once)"},
    )


class UserListArgsSchema(PagingArgsSchema):
    """Which page of users to list."""


class UtcMoment(fields.AwareDateTime):
    """An ISO 8601 moment, UTC if it names no zone, read as UTC: one whose UTC no store could
    hold (``0001-01-01T00:00+05:00``) is refused naming its field, never a 500 at the query."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return in_utc(moment)
        except ValueError as error:
            raise ma.ValidationError(f"The moment {error}.") from None


class TaskQueryArgsSchema(PagingArgsSchema):
    """Filters of the task list, each one given must match; and which page."""

    status = fields.Enum(TaskStatus, by_value=True)
    operation = fields.Enum(Operation, by_value=True)
    task_name = fields.Enum(TaskName, by_value=True)
    related_id = fields.UUID()
    created_after = UtcMoment(
        metadata={"description": "Submitted at this moment or later (ISO 8601; UTC if no zone)"},
    )
    created_before = UtcMoment(
        metadata={"description": "Submitted before this moment (ISO 8601; UTC if no zone)"},
    )


class AcceptedSchema(ma.Schema):
    """A submitted task: follow it at ``status_endpoint``."""

    task_id = fields.UUID(required=True)
    message = fields.String(required=True)
    status_endpoint = fields.String(required=True)


class TaskSchema(ma.Schema):
    """A task as the product publishes it: ``Task.to_dict``, which these fields document."""

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
    cancel_requested_at = fields.String(required=True, allow_none=True, metadata=CANCEL_ASKED)
    retry_of = fields.String(required=True, allow_none=True, metadata=_link("this one retries"))
    retried_by = fields.String(required=True, allow_none=True, metadata=_link("retrying this one"))
    redacted_at = fields.String(required=True, allow_none=True, metadata=REDACTED)

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """``Task.to_dict`` of the task, or of each task (``many``): the domain's one serialiser."""
        if self.many if many is None else many:
            return [self.dump(task, many=False) for task in obj]
        task: Task = obj
        return task.to_dict()


TASK_SCHEMA = TaskSchema()  # one for every response and event: a dump keeps no state in it


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
