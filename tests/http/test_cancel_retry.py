"""``POST /api/tasks/{id}/cancel/`` and ``POST /api/tasks/{id}/retry/``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from flask.testing import FlaskClient

from taskhub.bootstrap import Container
from taskhub.testing import HeldBus, user_fields
from tests.http.apps import task_total


def submitted(client: FlaskClient) -> str:
    return str(client.post("/api/users/", json=user_fields()).json["task_id"])


def failed(client: FlaskClient) -> str:
    """A get of a user that does not exist: FAILED ``user_not_found``."""
    return str(client.get(f"/api/users/{uuid4()}/").json["task_id"])


def claimed(container: Container, task_id: str) -> None:
    """As a runner does: the task PROCESSING under a lease that holds for the test."""
    with container.unit_of_work() as uow:
        task = uow.tasks.get(UUID(task_id))
        assert task is not None
        task.start(datetime.now(UTC), timedelta(minutes=5))
        uow.commit()


def test_a_pending_task_is_cancelled_at_once(client: FlaskClient, held_bus: HeldBus) -> None:
    task_id = submitted(client)
    response = client.post(f"/api/tasks/{task_id}/cancel/")
    assert (response.status_code, response.json["status"]) == (200, "CANCELLED")
    assert response.json["result"]["code"] == "cancelled"
    assert response.json["cancel_requested_at"].endswith("Z")
    assert client.get(f"/api/tasks/{task_id}/status/").json == response.json
    listed = client.get("/api/tasks/?status=CANCELLED").json
    assert [task["id"] for task in listed] == [task_id]


def test_cancelling_twice_answers_the_same(client: FlaskClient, held_bus: HeldBus) -> None:
    task_id = submitted(client)
    first, again = (client.post(f"/api/tasks/{task_id}/cancel/") for _ in range(2))
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json == first.json


def test_a_running_task_is_asked_to_stop_202(
    client: FlaskClient, held_bus: HeldBus, container: Container
) -> None:
    task_id = submitted(client)
    claimed(container, task_id)
    response = client.post(f"/api/tasks/{task_id}/cancel/")
    assert (response.status_code, response.json["status"]) == (202, "PROCESSING")
    assert response.json["cancel_requested_at"] is not None
    assert response.headers["Location"] == f"/api/tasks/{task_id}/status/"
    assert client.post(f"/api/tasks/{task_id}/cancel/").json == response.json


def test_a_finished_task_answers_409(client: FlaskClient) -> None:
    task_id = submitted(client)
    response = client.post(f"/api/tasks/{task_id}/cancel/")
    assert (response.status_code, response.mimetype) == (409, "application/problem+json")
    assert response.json["code"] == "task_already_finished"
    assert task_id in response.json["detail"]
    assert client.get(f"/api/tasks/{task_id}/").json["status"] == "DONE"


@pytest.mark.parametrize("action", ["cancel", "retry"])
def test_an_unknown_task_is_a_404_problem(client: FlaskClient, action: str) -> None:
    response = client.post(f"/api/tasks/{uuid4()}/{action}/")
    assert (response.status_code, response.json["code"]) == (404, "task_not_found")
    assert client.post(f"/api/tasks/not-a-uuid/{action}/").status_code == 404
    assert client.get(f"/api/tasks/{uuid4()}/{action}/").status_code == 405


def test_a_failed_task_is_retried_as_a_new_task_linked_both_ways(client: FlaskClient) -> None:
    original = failed(client)
    response = client.post(f"/api/tasks/{original}/retry/")
    assert response.status_code == 202
    retry = client.get(response.headers["Location"]).json
    assert retry["id"] == response.json["task_id"] != original
    assert response.json["message"] == f"Task created to retry task {original}"
    assert (retry["retry_of"], retry["status"], retry["task_name"]) == (
        original,
        "FAILED",
        "get_user",
    )
    assert client.get(f"/api/tasks/{original}/").json["retried_by"] == retry["id"]


def test_a_cancelled_task_is_retried_and_may_be_waited_for(
    client: FlaskClient, held_bus: HeldBus, container: Container
) -> None:
    original = submitted(client)
    client.post(f"/api/tasks/{original}/cancel/")
    container.task_bus.reset_override()  # retries run as submitted again
    response = client.post(f"/api/tasks/{original}/retry/", headers={"Prefer": "wait=1"})
    assert (response.status_code, response.json["status"]) == (200, "DONE")
    assert response.json["retry_of"] == original


def test_retrying_what_may_not_be_retried_answers_409(client: FlaskClient) -> None:
    done, original = submitted(client), failed(client)
    first = client.post(f"/api/tasks/{original}/retry/").json["task_id"]
    refusals = [client.post(f"/api/tasks/{task}/retry/") for task in (done, original)]
    assert [(r.status_code, r.json["code"]) for r in refusals] == [
        (409, "task_not_retryable"),
        (409, "task_already_retried"),
    ]
    assert str(first) in refusals[1].json["detail"]
    assert task_total(client) == 3


def test_an_idempotency_key_replays_a_retry(client: FlaskClient) -> None:
    original, other = failed(client), failed(client)
    headers = {"Idempotency-Key": str(uuid4())}
    first = client.post(f"/api/tasks/{original}/retry/", headers=headers)
    again = client.post(f"/api/tasks/{original}/retry/", headers=headers)
    assert (first.status_code, again.status_code, again.json) == (202, 202, first.json)
    assert task_total(client) == 3
    elsewhere = client.post(f"/api/tasks/{other}/retry/", headers=headers)
    assert (elsewhere.status_code, elsewhere.json["code"]) == (422, "idempotency_key_reused")
    assert client.get(f"/api/tasks/{other}/").json["retried_by"] is None


def test_the_openapi_document_says_cancelled_and_the_links(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").json
    task = document["components"]["schemas"]["Task"]["properties"]
    assert "CANCELLED" in task["status"]["enum"]
    assert {"cancel_requested_at", "retry_of", "retried_by"} <= set(task)
    cancel = document["paths"]["/api/tasks/{task_id}/cancel/"]["post"]["responses"]
    assert {"200", "202", "404", "409"} <= set(cancel)
    retry = document["paths"]["/api/tasks/{task_id}/retry/"]["post"]["responses"]
    assert {"202", "200", "404", "409", "422"} <= set(retry)
    filters = {p["name"]: p for p in document["paths"]["/api/tasks/"]["get"]["parameters"]}
    assert "CANCELLED" in filters["status"]["schema"]["enum"]
