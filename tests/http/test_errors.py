"""One error format: every 4xx and 5xx is an RFC 9457 problem, and never shows a stack trace."""

from __future__ import annotations

from uuid import uuid4

import pytest
from dependency_injector import providers
from flask.testing import FlaskClient

from taskhub.application.ports import StoreUnavailable
from taskhub.bootstrap import Container
from taskhub.domain.errors import (
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    InvalidQuery,
    InvalidUserData,
    TaskNotFound,
)
from taskhub.entrypoints.http.problems import status_for
from taskhub.testing import user_fields
from tests.http.apps import BrokenClock, UnreachableStore, task_total

PROBLEM_MEMBERS = {"type", "title", "status", "detail", "code", "errors"}


def test_an_unknown_route_is_a_404_problem(client: FlaskClient) -> None:
    response = client.get("/api/nothing/here/")
    assert (response.status_code, response.mimetype) == (404, "application/problem+json")
    assert set(response.json) == PROBLEM_MEMBERS
    assert (response.json["type"], response.json["title"]) == ("about:blank", "Not Found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("POST", "/api/tasks/", "GET"), ("DELETE", "/api/users/", "POST"), ("PUT", "/healthz", "GET")],
)
def test_a_method_not_allowed_is_a_405_problem_with_allow(
    client: FlaskClient, method: str, path: str, allowed: str
) -> None:
    response = client.open(path, method=method)
    assert (response.status_code, response.mimetype) == (405, "application/problem+json")
    assert allowed in response.headers["Allow"]
    assert response.json["code"] == "method_not_allowed"


def test_an_unexpected_error_is_a_500_problem_that_reveals_nothing(
    client: FlaskClient, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    container.clock.override(providers.Object(BrokenClock()))
    response = client.post("/api/users/", json=user_fields())
    assert (response.status_code, response.mimetype) == (500, "application/problem+json")
    assert set(response.json) == PROBLEM_MEMBERS
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert "secret internals of a bug" in caplog.text  # but it is logged for the operators


def test_an_unreachable_store_is_a_503_problem_with_retry_after(
    client: FlaskClient, container: Container
) -> None:
    container.unit_of_work.override(providers.Factory(UnreachableStore))
    for response in (client.post("/api/users/", json=user_fields()), client.get("/api/tasks/")):
        assert (response.status_code, response.json["code"]) == (503, "store_unavailable")
        assert response.headers["Retry-After"]
        assert "secret" not in response.text
    container.unit_of_work.reset_override()
    assert task_total(client) == 0


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (TaskNotFound(uuid4()), 404),
        (InvalidUserData({"email": ["Must be a valid email address."]}), 422),
        (InvalidQuery({"page": ["Must be greater than or equal to 1."]}), 422),
        (IdempotencyKeyReused("k"), 422),
        (IdempotencyKeyInFlight("k"), 409),
        (StoreUnavailable("down"), 503),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_each_error_of_ours_has_one_status(error: Exception, status: int) -> None:
    assert status_for(error) == status


def test_validation_problems_carry_the_domain_code_and_every_field(client: FlaskClient) -> None:
    response = client.post("/api/users/", json={"username": "", "email": "x", "id": 1})
    assert response.json["type"] == "tag:taskhub,2025:problem:invalid_user_data"
    assert response.json["title"] == "Invalid user data"
    assert set(response.json["errors"]) == {"username", "email", "id"}
    assert all(isinstance(m, str) for ms in response.json["errors"].values() for m in ms)
