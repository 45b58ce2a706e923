"""Commands validate when made and rebuild exactly from their task's record."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from taskhub.application.catalogue import CATALOGUE, UnknownOperation, entry_for
from taskhub.application.commands import Command
from taskhub.application.paging import MAX_PAGE_SIZE, Position, cursor_for
from taskhub.application.users.commands import (
    CreateUser,
    DeleteUser,
    GetUser,
    ListUsers,
    ReplaceUser,
    UpdateUser,
)
from taskhub.domain.errors import InvalidQuery, InvalidUserData
from taskhub.domain.task import Task, TaskName
from taskhub.testing import MOMENT, user_fields

CURSOR = cursor_for(Position(MOMENT, uuid4()))


def recorded(command: Command) -> Task:
    return command.new_task(MOMENT)


def rebuilt(task: Task) -> Command:
    """The command the catalogue rebuilds from ``task``, as a runner does."""
    return entry_for(task).command.from_task(task)


@pytest.mark.parametrize(
    "command",
    [
        ListUsers(cursor=CURSOR, page_size=20, count=True),
        GetUser(user_id=uuid4()),
        CreateUser(values=user_fields()),
        UpdateUser(user_id=uuid4(), values={"email": "new@example.com"}),
        DeleteUser(user_id=uuid4()),
        ReplaceUser(user_id=uuid4(), values=user_fields()),
    ],
    ids=lambda c: type(c).__name__,
)
def test_a_command_rebuilds_from_its_task(command: Command) -> None:
    assert rebuilt(recorded(command)) == command


def test_ids_are_chosen_when_the_command_is_made() -> None:
    first, second = CreateUser(values=user_fields()), CreateUser(values=user_fields())
    assert first.task_id != second.task_id
    assert first.user_id != second.user_id
    assert recorded(first).related_id == first.user_id


def test_create_records_the_request_body_as_input_data() -> None:
    body = {"username": "user1", "email": "user1@example.com", "first_name": "John"}
    assert CreateUser(values=body).input_data() == body


def test_replace_resets_omitted_fields_and_is_recorded_in_full_as_its_own_operation() -> None:
    user_id = uuid4()
    command = ReplaceUser(user_id=user_id, values={"username": "u", "email": "u@example.com"})
    assert command.input_data() == {
        "username": "u",
        "email": "u@example.com",
        "first_name": "",
        "last_name": "",
        "is_active": True,
    }
    assert recorded(command).task_name is TaskName.REPLACE_USER
    assert rebuilt(recorded(command)) == command


def test_every_task_name_has_exactly_one_entry_in_the_catalogue() -> None:
    assert set(CATALOGUE) == set(TaskName)
    assert all(name is entry.command.task_name for name, entry in CATALOGUE.items())


def test_a_task_an_older_taskhub_recorded_as_a_full_update_still_runs_as_one() -> None:
    """Before ``replace_user``, a PUT was recorded as ``update_user`` with every field."""
    command = ReplaceUser(user_id=uuid4(), values=user_fields())
    old = UpdateUser(task_id=command.task_id, user_id=command.user_id, values=command.values)
    assert rebuilt(recorded(old)) == old


def test_a_task_naming_an_operation_this_taskhub_lacks_is_refused_naming_it() -> None:
    task = recorded(GetUser(user_id=uuid4()))
    task.task_name = "merge_users"  # type: ignore[assignment]
    with pytest.raises(UnknownOperation, match="merge_users"):
        entry_for(task)


def test_replace_requires_the_required_fields_but_update_does_not() -> None:
    with pytest.raises(InvalidUserData) as refused:
        ReplaceUser(user_id=uuid4(), values={"first_name": "x"})
    assert set(refused.value.errors) == {"username", "email"}
    assert UpdateUser(user_id=uuid4(), values={"first_name": "x"}).values == {"first_name": "x"}


@pytest.mark.parametrize(
    ("cursor", "page_size", "field"),
    [
        ("not-a-cursor", 10, "cursor"),
        (cursor_for(Position(datetime(2026, 1, 1), uuid4())), 10, "cursor"),  # no time zone
        (None, 0, "page_size"),
        (None, MAX_PAGE_SIZE + 1, "page_size"),
        (None, True, "page_size"),
    ],
)
def test_list_pages_are_bounded(cursor: str | None, page_size: int, field: str) -> None:
    with pytest.raises(InvalidQuery) as refused:
        ListUsers(cursor=cursor, page_size=page_size)
    assert list(refused.value.errors) == [field]


def test_a_cursor_names_the_position_it_was_made_from() -> None:
    position = Position(datetime(2026, 3, 1, 12, 30, 1, 250, tzinfo=UTC), uuid4())
    assert ListUsers(cursor=cursor_for(position)).after == position
    assert ListUsers().after is None


def test_a_list_recorded_with_a_member_it_does_not_know_still_rebuilds() -> None:
    task = recorded(ListUsers(cursor=CURSOR, page_size=10))
    task.input_data = {**task.input_data, "order": "newest"}
    assert rebuilt(task) == ListUsers(task_id=task.id, cursor=CURSOR, page_size=10)
