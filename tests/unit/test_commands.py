"""Commands validate when made and rebuild exactly from their task's record."""

from __future__ import annotations

from uuid import uuid4

import pytest

from taskhub.domain.commands import (
    MAX_PAGE_SIZE,
    Command,
    CreateUser,
    DeleteUser,
    GetUser,
    ListUsers,
    ReplaceUser,
    UpdateUser,
    command_for,
)
from taskhub.domain.errors import InvalidQuery, InvalidUserData
from taskhub.domain.task import Task
from tests.builders import MOMENT, user_fields


def recorded(command: Command) -> Task:
    return Task.submit(
        command.task_id,
        command.task_name,
        command.operation,
        command.input_data(),
        command.related_id,
        MOMENT,
    )


@pytest.mark.parametrize(
    "command",
    [
        ListUsers(page=3, page_size=20),
        GetUser(user_id=uuid4()),
        CreateUser(values=user_fields()),
        UpdateUser(user_id=uuid4(), values={"email": "new@example.com"}),
        DeleteUser(user_id=uuid4()),
    ],
    ids=lambda c: type(c).__name__,
)
def test_a_command_rebuilds_from_its_task(command: Command) -> None:
    assert command_for(recorded(command)) == command


def test_ids_are_chosen_when_the_command_is_made() -> None:
    first, second = CreateUser(values=user_fields()), CreateUser(values=user_fields())
    assert first.task_id != second.task_id
    assert first.user_id != second.user_id
    assert recorded(first).related_id == first.user_id


def test_create_records_the_request_body_as_input_data() -> None:
    body = {"username": "user1", "email": "user1@example.com", "first_name": "John"}
    assert CreateUser(values=body).input_data() == body


def test_replace_resets_omitted_fields_and_is_recorded_as_a_full_update() -> None:
    user_id = uuid4()
    command = ReplaceUser(user_id=user_id, values={"username": "u", "email": "u@example.com"})
    assert command.input_data() == {
        "username": "u",
        "email": "u@example.com",
        "first_name": "",
        "last_name": "",
        "is_active": True,
    }
    assert command_for(recorded(command)) == UpdateUser(
        task_id=command.task_id, user_id=user_id, values=command.values
    )


def test_replace_requires_the_required_fields_but_update_does_not() -> None:
    with pytest.raises(InvalidUserData) as refused:
        ReplaceUser(user_id=uuid4(), values={"first_name": "x"})
    assert set(refused.value.errors) == {"username", "email"}
    assert UpdateUser(user_id=uuid4(), values={"first_name": "x"}).values == {"first_name": "x"}


@pytest.mark.parametrize(
    ("page", "page_size", "field"),
    [(0, 10, "page"), (1, 0, "page_size"), (1, MAX_PAGE_SIZE + 1, "page_size"), (True, 5, "page")],
)
def test_list_pages_are_bounded(page: int, page_size: int, field: str) -> None:
    with pytest.raises(InvalidQuery) as refused:
        ListUsers(page=page, page_size=page_size)
    assert list(refused.value.errors) == [field]
