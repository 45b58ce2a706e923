"""Retention as an HTTP client meets it: an expired Idempotency-Key names a new request, and a
deleted user's task says that it was redacted."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from dependency_injector import providers
from flask.testing import FlaskClient

from taskhub.bootstrap import Container
from taskhub.testing import ManualClock, user_fields
from tests.http.apps import task_total


@pytest.fixture
def clock(container: Container) -> ManualClock:
    """A clock the test moves, put in the app's container before any request."""
    manual = ManualClock()
    container.clock.override(providers.Object(manual))
    return manual


def test_an_expired_key_makes_a_new_task_and_the_first_keeps_its_record(
    client: FlaskClient, clock: ManualClock
) -> None:
    headers, body = {"Idempotency-Key": str(uuid4())}, user_fields()
    first = client.post("/api/users/", json=body, headers=headers)
    clock.advance(timedelta(hours=23, minutes=59))
    assert client.post("/api/users/", json=body, headers=headers).json == first.json
    clock.advance(timedelta(minutes=1))
    second = client.post("/api/users/", json=body, headers=headers)
    assert second.status_code == 202
    assert second.json["task_id"] != first.json["task_id"]
    assert client.post("/api/users/", json=body, headers=headers).json == second.json
    assert client.get(first.json["status_endpoint"]).json["status"] == "DONE"
    assert task_total(client) == 2


def test_a_deleted_users_task_says_it_was_redacted(
    client: FlaskClient, clock: ManualClock, container: Container
) -> None:
    ada = {"username": "ada_l", "email": "ada@example.com", "first_name": "Ada"}
    created = client.post("/api/users/", json=ada).json
    shown = client.get(created["status_endpoint"]).json
    assert shown["redacted_at"] is None
    client.delete(f"/api/users/{shown['related_id']}/")
    clock.advance(timedelta(days=2))
    container.service().purge()
    after = client.get(f"/api/tasks/{created['task_id']}/")
    assert after.json["redacted_at"] == clock.now().isoformat().replace("+00:00", "Z")
    assert after.json["input_data"] == dict.fromkeys(ada, "[redacted]")
    assert (after.json["status"], after.json["result"]["success"]) == ("DONE", True)
    assert not [value for value in ada.values() if value in after.get_data(as_text=True)]


def test_retrying_a_redacted_task_answers_409_task_redacted(
    client: FlaskClient, clock: ManualClock, container: Container
) -> None:
    """Not 422 invalid_user_data: the `[redacted]` the retry would send is not the client's."""
    created = client.post("/api/users/", json=user_fields()).json
    user_id = client.get(created["status_endpoint"]).json["related_id"]
    taken = user_fields()
    client.post("/api/users/", json=taken)
    failed = client.patch(f"/api/users/{user_id}/", json={"email": taken["email"]}).json
    assert client.get(failed["status_endpoint"]).json["status"] == "FAILED"
    client.delete(f"/api/users/{user_id}/")
    clock.advance(timedelta(days=2))
    container.service().purge()
    total = task_total(client)
    response = client.post(f"/api/tasks/{failed['task_id']}/retry/")
    assert (response.status_code, response.mimetype) == (409, "application/problem+json")
    assert response.json["code"] == "task_redacted"
    assert failed["task_id"] in response.json["detail"]
    assert task_total(client) == total
    assert client.get(failed["status_endpoint"]).json["retried_by"] is None
