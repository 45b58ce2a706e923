"""Idempotency-Key: a retried submission returns its first task; a reused key is refused."""

from __future__ import annotations

import threading
from typing import Any
from uuid import uuid4

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient

from taskhub.bootstrap import Container
from taskhub.testing import user_fields
from tests.http.apps import task_total
from tests.interleavings import AfterTaskCall


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid4())}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/users/", user_fields()),
        ("GET", "/api/users/?page_size=2", None),
        ("PATCH", f"/api/users/{uuid4()}/", {"first_name": "Ada"}),
        ("DELETE", f"/api/users/{uuid4()}/", None),
    ],
)
def test_the_same_key_and_request_get_the_first_answer_and_no_second_task(
    client: FlaskClient, method: str, path: str, body: Any
) -> None:
    headers = key()
    first = client.open(path, method=method, json=body, headers=headers)
    again = client.open(path, method=method, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json == first.json
    assert again.headers["Location"] == first.headers["Location"]
    assert task_total(client) == 1


def test_the_same_key_with_another_request_is_refused(client: FlaskClient) -> None:
    headers = key()
    client.post("/api/users/", json=user_fields(), headers=headers)
    other_body = client.post("/api/users/", json=user_fields(), headers=headers)
    other_route = client.get("/api/users/", headers=headers)
    for refused in (other_body, other_route):
        assert (refused.status_code, refused.json["code"]) == (422, "idempotency_key_reused")
        assert headers["Idempotency-Key"] in refused.json["detail"]
    assert task_total(client) == 1


def test_keys_are_per_request_so_another_key_is_another_task(client: FlaskClient) -> None:
    fields = {"username": "ada", "email": "ada@example.com"}
    client.post("/api/users/", json=fields, headers=key())
    second = client.post("/api/users/", json=fields, headers=key())
    assert second.status_code == 202
    assert client.get(second.json["status_endpoint"]).json["result"]["code"] == "username_taken"


def test_a_racing_duplicate_is_told_to_retry_409(app: Flask, container: Container) -> None:
    meeting = threading.Barrier(2)
    # two submissions of one key pass the lookup together
    meet = lambda: meeting.wait(timeout=10)  # noqa: E731
    racing = AfterTaskCall(container.memory_store(), "get_by_idempotency_key", meet, times=2)
    container.unit_of_work.override(providers.Callable(racing))
    headers, fields, answers = key(), user_fields(), []

    def submit() -> None:
        answers.append(app.test_client().post("/api/users/", json=fields, headers=headers))

    submitters = [threading.Thread(target=submit) for _ in range(2)]
    for submitter in submitters:
        submitter.start()
    for submitter in submitters:
        submitter.join(timeout=10)
    assert sorted(answer.status_code for answer in answers) == [202, 409]
    conflict = next(answer for answer in answers if answer.status_code == 409)
    assert conflict.json["code"] == "idempotency_key_in_flight"
    container.unit_of_work.reset_override()
    assert task_total(app.test_client()) == 1


@pytest.mark.parametrize("bad", ["", "has space", "x" * 256, "ключ"])
def test_a_malformed_key_is_refused_before_anything_is_submitted(
    client: FlaskClient, bad: str
) -> None:
    headers = {"Idempotency-Key": bad.encode().decode("latin-1")}
    response = client.post("/api/users/", json=user_fields(), headers=headers)
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["Idempotency-Key"]
    assert task_total(client) == 0


def test_a_malformed_key_is_an_invalid_input_problem_naming_the_header(
    client: FlaskClient,
) -> None:
    response = client.post("/api/users/", json=user_fields(), headers={"Idempotency-Key": "a b"})
    assert (response.status_code, response.json["code"]) == (422, "invalid_input")
    assert "Idempotency-Key" in response.json["detail"]
