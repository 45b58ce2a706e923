"""The HTTP API on the production topology: PostgreSQL, Redis and a separate Celery worker."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from taskhub.bootstrap import shut_down
from taskhub.entrypoints.http import create_app
from taskhub.settings import Settings
from taskhub.testing import user_fields
from tests.integration.test_faults import SETTLE, relay_sweeping
from tests.processes import RedisServer, Worker, eventually
from tests.stack import stack_env


@pytest.fixture
def stack(database_url: str, private_redis: RedisServer) -> dict[str, str]:
    """The settings of a deployment on this test's database and Redis."""
    return stack_env(database_url, private_redis.url)


@pytest.fixture
def app(stack: dict[str, str]) -> Iterator[Flask]:
    """The API as a web process of that deployment would build it."""
    app = create_app(Settings.from_env(stack))
    yield app
    shut_down(app.extensions["taskhub"].container)


def status(client: FlaskClient, task_id: str) -> str:
    return str(client.get(f"/api/tasks/{task_id}/status/").get_json()["status"])


def test_a_create_runs_on_the_worker_and_is_read_back(
    app: Flask, stack: dict[str, str], start_worker: Callable[..., Worker]
) -> None:
    start_worker(stack, "--concurrency=1")
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    accepted = client.post("/api/users/", json={"username": "user1", "email": "user1@example.com"})
    assert accepted.status_code == 202
    task_id = accepted.get_json()["task_id"]
    eventually(lambda: status(client, task_id) == "DONE", 30, "the create to finish")
    user_id = client.get(f"/api/tasks/{task_id}/status/").get_json()["result"]["user_id"]
    read = client.get(f"/api/users/{user_id}/", headers={"Prefer": "wait=10"})
    assert read.get_json()["result"]["user"]["username"] == "user1"


@pytest.mark.slow
def test_clients_submitting_through_a_redis_outage_get_202_and_lose_nothing(
    app: Flask, private_redis: RedisServer, stack: dict[str, str],
    start_worker: Callable[..., Worker],
) -> None:  # fmt: skip
    start_worker(stack, "--concurrency=2")
    client = app.test_client()
    with relay_sweeping(app.extensions["taskhub"].container):
        answers = [client.post("/api/users/", json=user_fields()) for _ in range(10)]
        private_redis.stop()
        assert client.get("/readyz").status_code == 503
        started = time.monotonic()
        answers += [client.post("/api/users/", json=user_fields()) for _ in range(10)]
        assert time.monotonic() - started < 10 * 1.5, "publishing blocked on the dead broker"
        private_redis.start()
        assert {answer.status_code for answer in answers} == {202}
        ids = [answer.get_json()["task_id"] for answer in answers]
        eventually(
            lambda: all(status(client, task_id) == "DONE" for task_id in ids),
            SETTLE, "every task to finish once Redis is back",
        )  # fmt: skip
