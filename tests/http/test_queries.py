"""Strict queries: a query parameter an operation does not document is refused, naming it."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from flask.testing import FlaskClient

from taskhub.testing import user_fields
from tests.http.apps import task_total

UNKNOWN = ["Unknown query parameter."]
USER = f"/api/users/{uuid4()}/"
TASK = f"/api/tasks/{uuid4()}/"
OPERATIONS = [
    ("GET", "/api/users/"), ("POST", "/api/users/"), ("GET", USER), ("PUT", USER),
    ("PATCH", USER), ("DELETE", USER), ("GET", "/api/tasks/"), ("GET", TASK),
    ("GET", f"{TASK}status/"), ("GET", "/healthz"), ("GET", "/readyz"),
]  # fmt: skip


def refused_query(client: FlaskClient, method: str, path: str, **kwargs: Any) -> Any:
    """Send the request; check it was refused as an ``invalid_query`` problem and made no task."""
    response = client.open(path, method=method, **kwargs)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "invalid_query"
    assert task_total(client) == 0
    return response.json


def test_an_unknown_filter_of_the_task_list_is_refused_naming_it(client: FlaskClient) -> None:
    client.post("/api/users/", json=user_fields())
    response = client.get("/api/tasks/?state=DONE")
    assert response.status_code == 422
    assert response.json["code"] == "invalid_query"
    assert response.json["errors"] == {"state": UNKNOWN}
    assert "state" in response.json["detail"]


def test_documented_filters_and_paging_still_answer(client: FlaskClient) -> None:
    client.post("/api/users/", json=user_fields())
    response = client.get("/api/tasks/?page_size=5&count=true&status=DONE")
    assert response.status_code == 200
    assert [task["task_name"] for task in response.json] == ["create_user"]
    assert response.headers["X-Total-Count"] == "1"
    assert client.get("/api/users/?page_size=5&count=true").status_code == 202


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_refuses_a_query_parameter_it_does_not_document(
    client: FlaskClient, method: str, path: str
) -> None:
    body = user_fields() if method in ("POST", "PUT", "PATCH") else None
    problem = refused_query(client, method, f"{path}?x=1", json=body)
    assert problem["errors"] == {"x": UNKNOWN}


def test_each_unknown_parameter_is_named_once_beside_the_known_ones(client: FlaskClient) -> None:
    problem = refused_query(client, "GET", "/api/users/?page_size=1&sort=name&order=up&sort=id")
    assert problem["errors"] == {"sort": UNKNOWN, "order": UNKNOWN}


def test_a_parameter_of_another_operation_is_unknown_here(client: FlaskClient) -> None:
    """The task list's filters mean nothing to the user list, and paging nothing to a task."""
    assert refused_query(client, "GET", "/api/users/?status=DONE")["errors"] == {"status": UNKNOWN}
    assert refused_query(client, "GET", f"{TASK}?page=1")["errors"] == {"page": UNKNOWN}


def test_head_is_checked_like_get(client: FlaskClient) -> None:
    assert client.head("/api/tasks/?status=DONE").status_code == 200
    assert client.head("/api/tasks/?state=DONE").status_code == 422


def test_a_bad_value_of_a_known_filter_names_that_filter(client: FlaskClient) -> None:
    problem = refused_query(client, "GET", "/api/tasks/?status=nope")
    assert list(problem["errors"]) == ["status"]
    assert "DONE" in problem["errors"]["status"][0]


def test_routing_answers_first_for_a_url_or_method_that_does_not_exist(
    client: FlaskClient,
) -> None:
    assert client.get("/api/nothing/?x=1").status_code == 404
    assert client.get("/api/users/12345-abcde/?x=1").status_code == 404
    assert client.delete("/api/tasks/?x=1").status_code == 405


def test_what_the_document_does_not_describe_is_left_alone(client: FlaskClient) -> None:
    """The document itself and the docs page are not operations of the API."""
    assert client.get("/api/openapi.json?x=1").status_code == 200
    assert client.get("/api/docs?x=1").status_code == 200
