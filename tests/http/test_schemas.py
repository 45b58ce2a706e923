"""The schemas document; the domain judges and serialises: each shape is said once, and agrees."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import marshmallow as ma
import pytest

from taskhub.domain.task import Task
from taskhub.domain.user_fields import EDITABLE_FIELDS, OPTIONAL_FIELD_DEFAULTS, REQUIRED_FIELDS
from taskhub.entrypoints.http.schemas import (
    TaskSchema,
    UserCreateSchema,
    UserPatchSchema,
    UserReplaceSchema,
)
from taskhub.testing import MOMENT, a_task


def tasks_in_each_shape() -> list[Task]:
    """A pending task (no result yet) and a finished one."""
    finished = a_task()
    finished.start(MOMENT, timedelta(seconds=30))
    finished.succeed({"user_id": "u"}, MOMENT)
    return [a_task(), finished]


def test_a_task_is_dumped_by_the_domain_and_documented_field_for_field() -> None:
    for task in tasks_in_each_shape():
        published = task.to_dict()
        assert TaskSchema().dump(task) == published
        assert list(TaskSchema().fields) == list(published)
        assert TaskSchema().validate(published) == {}  # every value is what the fields document
    tasks = tasks_in_each_shape()
    assert TaskSchema(many=True).dump(tasks) == [task.to_dict() for task in tasks]


@pytest.mark.parametrize("schema", [UserCreateSchema, UserReplaceSchema, UserPatchSchema])
def test_a_user_body_schema_documents_the_domains_fields(schema: type[ma.Schema]) -> None:
    fields = schema().fields
    assert tuple(fields) == EDITABLE_FIELDS
    required = {name for name, field in fields.items() if field.required}
    assert required == set(REQUIRED_FIELDS)
    optional = {
        name: field.metadata["default"] for name, field in fields.items() if not field.required
    }
    assert optional == OPTIONAL_FIELD_DEFAULTS


@pytest.mark.parametrize(
    "body",
    [
        {"password": "x", "is_active": "yes", "username": ""},
        {"last_name": None, "first_name": 5},
        {},
    ],
)
def test_a_user_body_is_handed_on_as_sent_for_the_domain_to_judge(body: dict[str, Any]) -> None:
    for schema in (UserCreateSchema(), UserPatchSchema()):
        loaded = schema.load(body)
        assert (loaded, list(loaded)) == (body, list(body))


@pytest.mark.parametrize("body", [[1, 2], "ada", 42, None])
def test_a_user_body_that_is_not_an_object_is_refused_in_marshmallows_words(body: Any) -> None:
    with pytest.raises(ma.ValidationError) as refused:
        UserCreateSchema().load(body)
    with pytest.raises(ma.ValidationError) as by_marshmallow:
        ma.Schema().load(body)
    assert refused.value.messages == by_marshmallow.value.messages
