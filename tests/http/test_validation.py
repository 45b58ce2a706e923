"""Validation at the edge: a malformed request is refused at once and never becomes a task."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient

from taskhub.bootstrap import shut_down
from taskhub.domain.user_fields import NAME_MAX_LENGTH
from taskhub.entrypoints.http import create_app
from taskhub.testing import user_fields
from tests.http.apps import memory_settings, task_total

USER = f"/api/users/{uuid4()}/"


@pytest.fixture
def small_app() -> Iterator[Flask]:
    """An API that accepts request bodies of at most 200 bytes."""
    app = create_app(memory_settings(max_body_bytes=200))
    yield app
    shut_down(app.extensions["taskhub"].container)


def refused(client: FlaskClient, status: int, method: str, path: str, **kwargs: Any) -> Any:
    """Send the request; check it was refused with ``status`` as a problem and made no task."""
    response = client.open(path, method=method, **kwargs)
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status
    assert task_total(client) == 0
    return response.json


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/api/users/"), ("PUT", USER), ("PATCH", USER)]
)
def test_a_body_that_is_not_json_is_refused_as_unsupported(
    client: FlaskClient, method: str, path: str
) -> None:
    problem = refused(client, 415, method, path, data="username=ada", content_type="text/plain")
    assert "application/json" in problem["detail"]
    refused(client, 415, method, path, data='{"username": "ada"}')  # no content type at all


@pytest.mark.parametrize("body", ['{"username": "ada",', "[1, 2", "\xff"])
def test_a_body_that_is_not_valid_json_is_a_bad_request(client: FlaskClient, body: str) -> None:
    problem = refused(
        client, 400, "POST", "/api/users/", data=body, content_type="application/json"
    )
    assert problem["title"] == "Bad Request"
    assert problem["detail"]


@pytest.mark.parametrize("field", ["id", "date_joined", "password"])
@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/api/users/"), ("PUT", USER), ("PATCH", USER)]
)
def test_unknown_or_read_only_fields_are_named(
    client: FlaskClient, field: str, method: str, path: str
) -> None:
    problem = refused(client, 422, method, path, json=user_fields(**{field: "x"}))
    assert problem["errors"] == {field: ["Unknown or read-only field."]}
    assert problem["code"] == "invalid_user_data"


@pytest.mark.parametrize(("method", "path"), [("POST", "/api/users/"), ("PUT", USER)])
def test_creating_or_replacing_needs_username_and_email(
    client: FlaskClient, method: str, path: str
) -> None:
    problem = refused(client, 422, method, path, json={"first_name": "Ada"})
    assert set(problem["errors"]) == {"username", "email"}


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"username": "has space"}, "username"),
        ({"first_name": "x" * (NAME_MAX_LENGTH + 1)}, "first_name"),
        ({"last_name": None}, "last_name"),
        ({"is_active": "yes"}, "is_active"),
        ({"first_name": "nul\x00byte"}, "first_name"),
    ],
)
def test_each_invalid_field_is_named_with_why(
    client: FlaskClient, fields: dict[str, Any], bad: str
) -> None:
    for method, path in (("POST", "/api/users/"), ("PATCH", USER)):
        problem = refused(client, 422, method, path, json=user_fields(**fields))
        assert set(problem["errors"]) == {bad}
        assert problem["errors"][bad][0]
        assert bad in problem["detail"]


@pytest.mark.parametrize("body", [[1, 2], "ada", 42])
def test_a_body_that_is_not_an_object_is_refused(client: FlaskClient, body: Any) -> None:
    assert refused(client, 422, "POST", "/api/users/", json=body)["errors"]


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_a_user_id_that_is_not_a_uuid_names_no_resource(client: FlaskClient, method: str) -> None:
    refused(client, 404, method, "/api/users/12345-abcde/", json=user_fields())


def test_a_body_over_the_configured_limit_is_too_large(small_app: Flask) -> None:
    client = small_app.test_client()
    fields = user_fields(first_name="x" * 150)
    problem = refused(client, 413, "POST", "/api/users/", json=fields)
    assert "too large" in problem["title"].lower()
    assert client.post("/api/users/", json=user_fields()).status_code == 202
