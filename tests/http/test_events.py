"""``GET /api/tasks/{id}/events``: a task's states as Server-Sent Events until it is finished, in
process (the in-memory store, the local publisher's wake-ups, tasks held and run by hand)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from taskhub.bootstrap import Container, shut_down
from taskhub.entrypoints.http import create_app
from taskhub.testing import HeldBus, user_fields
from tests.http.apps import memory_settings
from tests.sse import Block, blocks, events

Stream = tuple[TestResponse, Iterator[Block]]


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """Builds in-memory APIs with the settings given, tasks held PENDING; shuts them down."""
    made: list[Flask] = []

    def make(**settings: Any) -> Flask:
        app = create_app(memory_settings(**settings))
        app.extensions["taskhub"].container.task_bus.override(providers.Object(HeldBus()))
        made.append(app)
        return app

    yield make
    for app in made:
        shut_down(app.extensions["taskhub"].container)


def container_of(client: FlaskClient) -> Container:
    found: Container = client.application.extensions["taskhub"].container
    return found


def held(client: FlaskClient) -> str:
    """A create submitted and left PENDING; its task id."""
    task_id: str = client.post("/api/users/", json=user_fields()).json["task_id"]
    return task_id


def run(client: FlaskClient, task_id: str) -> None:
    """What a worker does: its events wake the stream's follower."""
    container_of(client).service().run(UUID(task_id))


def stream(client: FlaskClient, task_id: str, **headers: str) -> Stream:
    response = client.get(f"/api/tasks/{task_id}/events", headers=headers, buffered=False)
    return response, blocks(response.response)


def following(client: FlaskClient) -> int:
    return int(container_of(client).event_subscriber().following)


def test_a_finished_task_is_one_event_then_the_end(client: FlaskClient) -> None:
    task_id = client.post("/api/users/", json=user_fields()).json["task_id"]
    status = client.get(f"/api/tasks/{task_id}/status/").json
    response = client.get(f"/api/tasks/{task_id}/events")
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    read = list(blocks([response.data]))
    assert read[0].retry == 2000
    task, end = events(read)
    assert (task.name, task.data, end.name, end.data) == ("task", status, "end", {"status": "DONE"})
    assert task.id is not None
    assert int(task.id) > 0
    assert end.id is None  # so a reconnecting EventSource still sends the task's last version


def test_a_running_task_is_streamed_as_it_changes_until_done(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(sse_heartbeat_seconds=60).test_client()
    task_id = held(client)
    response, read = stream(client, task_id)
    assert next(read).retry is not None
    pending = next(read)
    assert (pending.name, pending.data["status"], pending.data["progress"]) == (
        "task",
        "PENDING",
        0,
    )
    assert following(client) == 1
    run(client, task_id)
    done, end = events(read)
    assert (done.data["status"], done.data["progress"], end.name) == ("DONE", 100, "end")
    assert int(done.id or 0) > int(pending.id or 0)
    response.close()
    assert following(client) == 0


def test_last_event_id_resumes_after_the_state_the_client_had(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(sse_heartbeat_seconds=0.01).test_client()
    task_id = held(client)
    version = str(container_of(client).service().get(UUID(task_id)).version)
    response, read = stream(client, task_id, **{"Last-Event-ID": version})
    assert next(read).retry is not None
    assert next(read).comment == "still following"  # not the same state again
    run(client, task_id)
    assert [(e.name, e.data["status"]) for e in events(read)] == [("task", "DONE"), ("end", "DONE")]
    response.close()


def test_a_client_that_has_the_final_state_is_told_to_stop(client: FlaskClient) -> None:
    task_id = client.post("/api/users/", json=user_fields()).json["task_id"]
    version = events(blocks([client.get(f"/api/tasks/{task_id}/events").data]))[0].id
    again = client.get(f"/api/tasks/{task_id}/events", headers={"Last-Event-ID": str(version)})
    assert (again.status_code, again.data) == (204, b"")


@pytest.mark.parametrize("given", ["", "abc", "-1", "1e3", "٣"])
def test_a_last_event_id_that_is_not_ours_is_ignored(client: FlaskClient, given: str) -> None:
    task_id = client.post("/api/users/", json=user_fields()).json["task_id"]
    response = client.get(f"/api/tasks/{task_id}/events", headers={"Last-Event-ID": given})
    assert [event.name for event in events(blocks([response.data]))] == ["task", "end"]


def test_an_unknown_task_is_a_404_problem(client: FlaskClient) -> None:
    response = client.get("/api/tasks/f47ac10b-58cc-4372-a567-0e02b2c3d479/events")
    assert (response.status_code, response.mimetype) == (404, "application/problem+json")
    assert response.json["code"] == "task_not_found"


def test_the_url_with_a_trailing_slash_streams_too(client: FlaskClient) -> None:
    task_id = client.post("/api/users/", json=user_fields()).json["task_id"]
    response = client.get(f"/api/tasks/{task_id}/events/")
    assert [event.name for event in events(blocks([response.data]))] == ["task", "end"]


def test_a_quiet_stream_sends_keep_alive_comments(make_app: Callable[..., Flask]) -> None:
    client = make_app(sse_heartbeat_seconds=0.01).test_client()
    response, read = stream(client, held(client))
    first = [next(read) for _ in range(4)]
    assert [block.name for block in first[1:2]] == ["task"]
    assert {block.comment for block in first[2:]} == {"still following"}
    response.close()


def test_a_stream_ends_after_its_longest_for_the_client_to_reconnect(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(sse_heartbeat_seconds=0.01, sse_max_seconds=0.1).test_client()
    response = client.get(f"/api/tasks/{held(client)}/events")
    read = list(blocks([response.data]))
    assert read[0].retry == 2000
    assert [event.name for event in events(read)] == ["task"]  # no end: it is not finished
    assert following(client) == 0


def test_beyond_the_most_streams_a_process_holds_the_answer_is_503(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(sse_max_streams=1, sse_heartbeat_seconds=60).test_client()
    task_id = held(client)
    first, read = stream(client, task_id)
    next(read)
    refused = client.get(f"/api/tasks/{task_id}/events")
    assert (refused.status_code, refused.mimetype) == (503, "application/problem+json")
    assert (refused.json["code"], refused.headers["Retry-After"]) == ("too_many_streams", "5")
    first.close()
    never_read, _ = stream(client, task_id)  # a slot is taken on answering, not on reading
    assert never_read.status_code == 200
    never_read.close()
    assert stream(client, task_id)[0].status_code == 200


def test_a_client_that_disconnects_releases_its_subscription(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(sse_heartbeat_seconds=60).test_client()
    response, read = stream(client, held(client))
    next(read)
    next(read)
    assert following(client) == 1
    response.close()  # what the server does once writing to a client that has gone fails
    assert following(client) == 0
