"""The status endpoint's ETag names a state of the task: every change a client can see gives a new
tag, and a poll of an unchanged task answers 304 with the same one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient

from taskhub.bootstrap import Container, shut_down
from taskhub.domain.task import Task
from taskhub.entrypoints.http import create_app
from taskhub.testing import HeldBus, user_fields
from tests.http.apps import memory_settings

LEASE = timedelta(minutes=5)


@pytest.fixture(params=["memory", "sqlite"])
def store_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The API over each embedded store, its tasks held PENDING for the test to move."""
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'tags.sqlite3'}"
    app = create_app(memory_settings(database_url=url))
    app.extensions["taskhub"].container.task_bus.override(providers.Object(HeldBus()))
    yield app
    shut_down(app.extensions["taskhub"].container)


class Poller:
    """Polls one task's status as a client does, keeping every tag it was given."""

    def __init__(self, client: FlaskClient, container: Container, task_id: UUID) -> None:
        self.client, self.container, self.task_id = client, container, task_id
        self.where = f"/api/tasks/{task_id}/status/"
        self.tags: list[str] = []

    def changed(self, change: Callable[[Task, datetime], object]) -> None:
        """Apply ``change`` to the stored task and commit it, then poll."""
        with self.container.unit_of_work() as uow:
            task = uow.tasks.get(self.task_id)
            assert task is not None
            change(task, datetime.now(UTC))
            uow.commit()
        self.poll()

    def poll(self) -> None:
        """A new state: a new tag, which a second poll naming it gets back as 304."""
        first = self.client.get(self.where)
        again = self.client.get(self.where, headers={"If-None-Match": first.headers["ETag"]})
        assert (first.status_code, again.status_code, again.data) == (200, 304, b"")
        assert again.headers["ETag"] == first.headers["ETag"] not in self.tags
        self.tags.append(first.headers["ETag"])

    def unchanged(self) -> None:
        answer = self.client.get(self.where, headers={"If-None-Match": self.tags[-1]})
        assert (answer.status_code, answer.headers["ETag"]) == (304, self.tags[-1])


def submitted(client: FlaskClient, store_app: Flask) -> Poller:
    task_id = client.post("/api/users/", json=user_fields()).json["task_id"]
    poller = Poller(client, store_app.extensions["taskhub"].container, UUID(task_id))
    poller.poll()
    return poller


def test_every_step_of_a_run_and_its_cancel_mark_is_a_new_tag(store_app: Flask) -> None:
    client = store_app.test_client()
    poller = submitted(client, store_app)
    poller.changed(lambda task, now: task.start(now, LEASE))
    with poller.container.unit_of_work() as uow:  # a renewed lease shows nothing new
        assert uow.tasks.renew_lease(poller.task_id, 1, datetime.now(UTC) + 2 * LEASE)
        uow.commit()
    poller.unchanged()
    poller.changed(lambda task, now: task.report_progress(60, now))
    assert client.post(f"/api/tasks/{poller.task_id}/cancel/").status_code == 202  # a mark
    poller.poll()
    poller.unchanged()
    poller.changed(lambda task, now: task.succeed({"user": {}}, now))
    poller.unchanged()


def test_a_failure_a_retry_link_and_a_redaction_are_each_a_new_tag(store_app: Flask) -> None:
    client = store_app.test_client()
    poller = submitted(client, store_app)
    poller.changed(lambda task, now: task.start(now, LEASE))
    poller.changed(lambda task, now: task.fail("boom", "It broke.", now))
    assert client.post(f"/api/tasks/{poller.task_id}/retry/").status_code == 202
    poller.poll()  # now ``retried_by`` the retry
    poller.changed(lambda task, now: task.redact(now))
    poller.unchanged()


def test_a_cancel_before_the_start_is_a_new_tag(store_app: Flask) -> None:
    client = store_app.test_client()
    poller = submitted(client, store_app)
    assert client.post(f"/api/tasks/{poller.task_id}/cancel/").status_code == 200
    poller.poll()
    poller.unchanged()
