"""``Prefer: wait=N``: hold the answer until the task finishes or N seconds (capped) pass."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient

from taskhub.bootstrap import Container, shut_down
from taskhub.entrypoints.http import create_app
from taskhub.testing import HeldBus, user_fields
from tests.http.apps import memory_settings


@pytest.fixture
def threaded_app() -> Iterator[Flask]:
    """The API with tasks run on background threads, as ``taskhub serve`` runs them."""
    app = create_app(memory_settings(bus="thread", max_wait_seconds=10))
    yield app
    shut_down(app.extensions["taskhub"].container)


def test_a_submission_finished_within_the_wait_answers_200_with_the_task(
    threaded_app: Flask,
) -> None:
    response = threaded_app.test_client().post(
        "/api/users/", json=user_fields(), headers={"Prefer": "wait=5"}
    )
    assert response.status_code == 200
    assert (response.json["status"], response.json["result"]["success"]) == ("DONE", True)
    assert response.headers["Preference-Applied"] == "wait=5"
    assert response.headers["Content-Location"] == f"/api/tasks/{response.json['id']}/status/"


def test_a_submission_not_finished_in_time_answers_202_as_usual(
    client: FlaskClient, held_bus: HeldBus
) -> None:
    response = client.post("/api/users/", json=user_fields(), headers={"Prefer": "wait=0"})
    assert response.status_code == 202
    assert set(response.json) == {"task_id", "message", "status_endpoint"}
    assert response.headers["Preference-Applied"] == "wait=0"
    assert [str(task_id) for task_id in held_bus.held] == [response.json["task_id"]]


def test_the_wait_is_capped_by_the_settings() -> None:
    app = create_app(memory_settings(max_wait_seconds=0.25))
    app.extensions["taskhub"].container.task_bus.override(providers.Object(HeldBus()))
    started = time.monotonic()
    response = app.test_client().post(
        "/api/users/", json=user_fields(), headers={"Prefer": "wait=3600"}
    )
    shut_down(app.extensions["taskhub"].container)
    assert response.status_code == 202
    assert response.headers["Preference-Applied"] == "wait=0.25"
    assert 0.25 <= time.monotonic() - started < 30


def test_the_status_endpoint_waits_and_always_answers_200(
    client: FlaskClient, held_bus: HeldBus, container: Container
) -> None:
    status_endpoint = client.post("/api/users/", json=user_fields()).json["status_endpoint"]
    pending = client.get(status_endpoint, headers={"Prefer": "respond-async, wait=0"})
    assert (pending.status_code, pending.json["status"]) == (200, "PENDING")
    assert pending.headers["Preference-Applied"] == "wait=0"
    container.runner().run(held_bus.held[0])
    done = client.get(status_endpoint, headers={"Prefer": "wait=1"})
    assert (done.status_code, done.json["status"]) == (200, "DONE")
    assert done.headers["ETag"] != pending.headers["ETag"]
    changed = client.get(status_endpoint, headers={"If-None-Match": pending.headers["ETag"]})
    assert changed.status_code == 200


@pytest.mark.parametrize("prefer", ["respond-async", "wait=soon", "wait=-1", "handling=lenient"])
def test_preferences_other_than_a_wait_are_ignored(client: FlaskClient, prefer: str) -> None:
    response = client.post("/api/users/", json=user_fields(), headers={"Prefer": prefer})
    assert response.status_code == 202
    assert "Preference-Applied" not in response.headers
