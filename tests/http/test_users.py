"""``/api/users/``: each call submits a task and answers 202 with where to follow it."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from flask.testing import FlaskClient

from taskhub.application.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from taskhub.testing import user_fields
from tests.http.apps import task_total


def created_user(client: FlaskClient, **fields: Any) -> str:
    """Create a user through the API (tasks run inline); its id."""
    accepted = client.post("/api/users/", json=user_fields(**fields))
    user_id: str = client.get(accepted.json["status_endpoint"]).json["result"]["user_id"]
    return user_id


def test_a_submission_answers_202_with_the_seeds_body_location_and_retry_after(
    client: FlaskClient,
) -> None:
    response = client.post("/api/users/", json=user_fields(username="user1"))
    task_id = response.json["task_id"]
    assert response.status_code == 202
    assert response.json == {
        "task_id": task_id,
        "message": "Task created to create user user1",
        "status_endpoint": f"/api/tasks/{task_id}/status/",
    }
    assert list(response.json) == ["task_id", "message", "status_endpoint"]
    assert response.headers["Location"] == response.json["status_endpoint"]
    assert int(response.headers["Retry-After"]) >= 1


@pytest.mark.parametrize(
    ("method", "body", "message", "operation"),
    [
        ("get", None, "get user {}", "READ"),
        ("put", user_fields(), "update user {}", "UPDATE"),
        ("patch", {"last_name": "Lovelace"}, "update user {}", "UPDATE"),
        ("delete", None, "delete user {}", "DELETE"),
    ],
)
def test_each_operation_on_one_user_is_a_task_on_that_user(
    client: FlaskClient, method: str, body: Any, message: str, operation: str
) -> None:
    user_id = created_user(client)
    response = getattr(client, method)(f"/api/users/{user_id}/", json=body)
    assert response.status_code == 202
    assert response.json["message"] == f"Task created to {message.format(user_id)}"
    task = client.get(response.json["status_endpoint"]).json
    assert (task["status"], task["operation"], task["related_id"]) == ("DONE", operation, user_id)


def test_put_replaces_every_field_and_patch_changes_only_those_given(client: FlaskClient) -> None:
    user_id = created_user(client, first_name="Ada", last_name="Byron")
    patched = client.patch(f"/api/users/{user_id}/", json={"last_name": "Lovelace"})
    user = client.get(patched.json["status_endpoint"]).json["result"]["user"]
    assert (user["first_name"], user["last_name"]) == ("Ada", "Lovelace")
    fields = {"username": "augusta", "email": "augusta@example.com", "first_name": "Augusta"}
    replaced = client.put(f"/api/users/{user_id}/", json=fields)
    user = client.get(replaced.json["status_endpoint"]).json["result"]["user"]
    assert (user["first_name"], user["last_name"], user["is_active"]) == ("Augusta", "", True)


def test_an_unknown_user_is_decided_by_the_worker_as_a_failed_task(client: FlaskClient) -> None:
    response = client.get(f"/api/users/{uuid4()}/")
    task = client.get(response.json["status_endpoint"]).json
    assert response.status_code == 202
    assert (task["status"], task["result"]["code"]) == ("FAILED", "user_not_found")


def test_a_taken_username_fails_the_task_with_a_code_and_a_sentence(client: FlaskClient) -> None:
    created_user(client, username="ada")
    response = client.post("/api/users/", json=user_fields(username="ada"))
    task = client.get(response.json["status_endpoint"]).json
    assert (task["status"], task["result"]["code"]) == ("FAILED", "username_taken")
    assert "ada" in task["result"]["error"]


def listed(client: FlaskClient, query: str) -> dict[str, Any]:
    """The result of the list task ``GET /api/users/?query`` submits."""
    response = client.get(f"/api/users/?{query}")
    result: dict[str, Any] = client.get(response.json["status_endpoint"]).json["result"]
    return result


def test_listing_users_returns_bounded_pages_each_naming_the_next(client: FlaskClient) -> None:
    ids = [created_user(client) for _ in range(3)]
    first = listed(client, "page_size=2&count=true")
    second = listed(client, f"page_size=2&cursor={first['next']}")
    assert [user["id"] for user in first["users"] + second["users"]] == ids
    assert (first["count"], first["page_size"], second["next"]) == (3, 2, None)
    assert "count" not in second
    default = client.get("/api/users/")
    assert client.get(default.json["status_endpoint"]).json["input_data"] == {
        "cursor": None,
        "page_size": DEFAULT_PAGE_SIZE,
        "count": False,
    }


@pytest.mark.parametrize("query", ["cursor=x", f"page_size={MAX_PAGE_SIZE + 1}", "page_size=x"])
def test_a_page_out_of_bounds_is_refused(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/users/?{query}")
    assert (response.status_code, response.json["code"]) == (422, "invalid_query")
    assert set(response.json["errors"]) == {query.split("=")[0]}
    assert task_total(client) == 0
