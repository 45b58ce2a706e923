"""Every operation's success and failure, run through the in-memory adapters on an inline bus."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from taskhub.domain.errors import InvalidQuery, InvalidUserData
from taskhub.domain.task import Task, TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.testing import ManualClock, user_fields


def created(hub: Hub, **overrides: object) -> UUID:
    task = hub.users.create(**user_fields(**overrides))
    assert task.status is TaskStatus.DONE, task.result
    return UUID(task.result["user_id"])  # type: ignore[index]


def user_count(hub: Hub) -> int:
    return hub.users.list(count=True).result["count"]  # type: ignore[index]


def assert_failed(task: Task, code: str, words: str) -> None:
    assert task.status is TaskStatus.FAILED
    assert task.result is not None
    assert task.result["code"] == code
    assert words in task.result["error"]
    assert task.result["success"] is False


def test_create_makes_the_user_with_the_id_chosen_at_submission(hub: Hub) -> None:
    task = hub.users.create(username="user1", email="user1@example.com", first_name="John")
    assert task.status is TaskStatus.DONE
    assert task.result == {
        "success": True,
        "user_id": str(task.related_id),
        "message": "Successfully created user user1",
        "progress": 100,
    }
    fetched = hub.users.get(task.related_id)  # type: ignore[arg-type]
    assert fetched.result["user"]["username"] == "user1"  # type: ignore[index]
    assert fetched.result["user"]["first_name"] == "John"  # type: ignore[index]


def test_create_with_a_taken_username_fails_and_makes_no_second_user(hub: Hub) -> None:
    created(hub, username="ada")
    task = hub.users.create(**user_fields(username="ada"))
    assert_failed(task, "username_taken", "'ada' is already taken")
    assert user_count(hub) == 1


def test_create_with_a_taken_email_in_other_case_fails(hub: Hub) -> None:
    created(hub, email="ada@example.com")
    task = hub.users.create(**user_fields(email="ADA@Example.com"))
    assert_failed(task, "email_taken", "already in use")
    assert user_count(hub) == 1


def test_invalid_data_is_refused_at_submission_and_creates_no_task(hub: Hub) -> None:
    with pytest.raises(InvalidUserData) as refused:
        hub.users.create(username="no spaces", email="x@example.com")
    assert list(refused.value.errors) == ["username"]
    assert hub.tasks.list(count=True).count == 0


def test_a_path_id_that_is_not_a_uuid_is_refused_by_name(hub: Hub) -> None:
    with pytest.raises(InvalidQuery) as refused:
        hub.users.get("12345-abcde")
    assert list(refused.value.errors) == ["user_id"]


def test_get_returns_the_user(hub: Hub) -> None:
    user_id = created(hub, username="grace")
    task = hub.users.get(user_id)
    assert task.result["user"]["id"] == str(user_id)  # type: ignore[index]
    assert task.operation == "READ"


def test_get_of_an_unknown_user_fails_naming_it(hub: Hub) -> None:
    missing = uuid4()
    assert_failed(hub.users.get(missing), "user_not_found", str(missing))


def test_list_returns_one_bounded_page_with_the_total(hub: Hub, clock: ManualClock) -> None:
    ids = []
    for _ in range(5):
        ids.append(created(hub))
        clock.advance(timedelta(seconds=1))
    first = hub.users.list(page_size=2, count=True)
    task = hub.users.list(cursor=first.result["next"], page_size=2)  # type: ignore[index]
    assert first.result["count"] == 5  # type: ignore[index]
    assert [u["id"] for u in task.result["users"]] == [str(i) for i in ids[2:4]]  # type: ignore[index]
    assert task.input_data == {"cursor": first.result["next"], "page_size": 2, "count": False}  # type: ignore[index]


def test_update_changes_only_the_given_fields(hub: Hub) -> None:
    user_id = created(hub, first_name="Ada", last_name="Lovelace")
    task = hub.users.update(user_id, email="newemail@example.com")
    assert task.status is TaskStatus.DONE
    user = task.result["user"]  # type: ignore[index]
    assert (user["email"], user["first_name"], user["last_name"]) == (
        "newemail@example.com",
        "Ada",
        "Lovelace",
    )
    assert task.input_data == {"email": "newemail@example.com"}


def test_update_to_a_taken_email_fails_and_changes_nothing(hub: Hub) -> None:
    created(hub, email="taken@example.com")
    user_id = created(hub, email="mine@example.com")
    assert_failed(hub.users.update(user_id, email="Taken@example.com"), "email_taken", "in use")
    assert hub.users.get(user_id).result["user"]["email"] == "mine@example.com"  # type: ignore[index]


def test_update_of_an_unknown_user_fails(hub: Hub) -> None:
    assert_failed(hub.users.update(uuid4(), first_name="x"), "user_not_found", "No user")


def test_replace_resets_the_fields_not_given(hub: Hub) -> None:
    user_id = created(hub, first_name="Ada", last_name="Lovelace")
    task = hub.users.replace(user_id, username="ada2", email="ada2@example.com")
    user = task.result["user"]  # type: ignore[index]
    assert (user["username"], user["first_name"], user["last_name"]) == ("ada2", "", "")


def test_delete_removes_the_user(hub: Hub) -> None:
    user_id = created(hub)
    task = hub.users.delete(user_id)
    assert task.result == {  # type: ignore[comparison-overlap]
        "success": True,
        "user_id": str(user_id),
        "message": task.result["message"],  # type: ignore[index]
        "progress": 100,
    }
    assert task.operation == "DELETE"
    assert_failed(hub.users.get(user_id), "user_not_found", str(user_id))
    assert user_count(hub) == 0


def test_delete_of_an_unknown_user_fails(hub: Hub) -> None:
    assert_failed(hub.users.delete(uuid4()), "user_not_found", "No user")


def test_a_deleted_users_name_and_email_are_free_again(hub: Hub) -> None:
    user_id = created(hub, username="reuse", email="reuse@example.com")
    hub.users.delete(user_id)
    assert created(hub, username="reuse", email="reuse@example.com") != user_id
