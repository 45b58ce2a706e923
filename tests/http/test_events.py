"""``GET /api/tasks/{id}/events``: a task's states as Server-Sent Events until it is finished, in
process (the in-memory store, the local publisher's wake-ups, tasks held and run by hand)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from taskhub.bootstrap import Container, shut_down
from taskhub.domain.task import Task
from taskhub.entrypoints.http import create_app
from taskhub.entrypoints.http.streams import stop_streams
from taskhub.testing import HeldBus, user_fields
from tests.http.apps import THREADED, memory_settings
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


def get_events(
    client: FlaskClient, task_id: str, buffered: bool = True, slash: str = "", **headers: str
) -> TestResponse:
    """The task's stream as a threaded server (gunicorn's ``--threads``) answers it."""
    path = f"/api/tasks/{task_id}/events{slash}"
    return client.get(path, headers=headers, buffered=buffered, environ_overrides=THREADED)


def stream(client: FlaskClient, task_id: str, **headers: str) -> Stream:
    response = get_events(client, task_id, buffered=False, **headers)
    return response, blocks(response.response)


def following(client: FlaskClient) -> int:
    return int(container_of(client).event_subscriber().following)


def version_of(block: Block) -> int:
    """The task's version an event's id carries (``{version}.{cancel mark}``)."""
    return int(str(block.id).split(".")[0])


def runner_does(client: FlaskClient, task_id: str, act: Callable[[Task, datetime], None]) -> int:
    """What a runner does to the task, as one saved change; the task's version after."""
    container = container_of(client)
    with container.unit_of_work() as uow:
        task = uow.tasks.get(UUID(task_id))
        assert task is not None
        act(task, container.clock().now())
        uow.commit()
    return int(container.service().get(UUID(task_id)).version)


def start(client: FlaskClient, task_id: str) -> int:
    """A runner claims the task and keeps working on it; its version then."""
    return runner_does(client, task_id, lambda task, now: task.start(now, timedelta(seconds=30)))


def test_a_finished_task_is_one_event_then_the_end(client: FlaskClient) -> None:
    task_id = client.post("/api/users/", json=user_fields()).json["task_id"]
    status = client.get(f"/api/tasks/{task_id}/status/").json
    response = get_events(client, task_id)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store"
    read = list(blocks([response.data]))
    assert read[0].retry == 2000
    task, end = events(read)
    assert (task.name, task.data, end.name, end.data) == ("task", status, "end", {"status": "DONE"})
    assert task.id == f"{container_of(client).service().get(UUID(task_id)).version}.0"
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
    assert version_of(done) > version_of(pending)
    response.close()
    assert following(client) == 0


def test_last_event_id_resumes_after_the_state_the_client_had_even_as_a_plain_version(
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
    last_id = events(blocks([get_events(client, task_id).data]))[0].id
    again = get_events(client, task_id, **{"Last-Event-ID": str(last_id)})
    assert (again.status_code, again.data) == (204, b"")


@pytest.mark.parametrize("given", ["", "abc", "-1", "1e3", "٣"])
def test_a_last_event_id_that_is_not_ours_is_ignored(client: FlaskClient, given: str) -> None:
    task_id = client.post("/api/users/", json=user_fields()).json["task_id"]
    response = get_events(client, task_id, **{"Last-Event-ID": given})
    assert [event.name for event in events(blocks([response.data]))] == ["task", "end"]


def test_an_unknown_task_is_a_404_problem(client: FlaskClient) -> None:
    response = get_events(client, "f47ac10b-58cc-4372-a567-0e02b2c3d479")
    assert (response.status_code, response.mimetype) == (404, "application/problem+json")
    assert response.json["code"] == "task_not_found"


def test_the_url_with_a_trailing_slash_streams_too(client: FlaskClient) -> None:
    task_id = client.post("/api/users/", json=user_fields()).json["task_id"]
    response = get_events(client, task_id, slash="/")
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
    response = get_events(client, held(client))
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
    refused = get_events(client, task_id)
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


def test_the_stream_asks_proxies_not_to_buffer_it(client: FlaskClient) -> None:
    response = get_events(client, client.post("/api/users/", json=user_fields()).json["task_id"])
    assert response.headers["X-Accel-Buffering"] == "no"


def test_a_server_without_threads_refuses_streams_saying_so(client: FlaskClient) -> None:
    task_id = client.post("/api/users/", json=user_fields()).json["task_id"]
    refused = client.get(f"/api/tasks/{task_id}/events")  # the test client: not multithreaded
    assert (refused.status_code, refused.mimetype) == (503, "application/problem+json")
    assert refused.json["code"] == "streams_unsupported"
    assert "--threads" in refused.json["detail"]
    assert following(client) == 0


def test_a_cancel_request_under_the_same_version_is_not_skipped_on_resuming(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(sse_heartbeat_seconds=0.01).test_client()
    task_id = held(client)
    version = start(client, task_id)  # the client had this, then lost its connection
    assert client.post(f"/api/tasks/{task_id}/cancel/").status_code == 202
    for had in (str(version), f"{version}.0"):  # an earlier release's id, and this one's
        response, read = stream(client, task_id, **{"Last-Event-ID": had})
        next(read)
        marked = next(read)
        assert (marked.name, marked.id) == ("task", f"{version}.1")
        assert marked.data["cancel_requested_at"] is not None
        response.close()
    response, read = stream(client, task_id, **{"Last-Event-ID": f"{version}.1"})
    next(read)
    assert next(read).comment == "still following"  # it has the mark: no repeat
    response.close()


def test_a_finished_task_s_last_id_with_its_cancel_mark_is_told_to_stop(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app().test_client()
    task_id = held(client)
    start(client, task_id)
    client.post(f"/api/tasks/{task_id}/cancel/")
    runner_does(client, task_id, Task.stop_at_safe_point)  # the runner sees the mark
    last = events(blocks([get_events(client, task_id).data]))[0]
    assert str(last.id).endswith(".1")
    assert get_events(client, task_id, **{"Last-Event-ID": str(last.id)}).status_code == 204


def test_a_stopping_server_ends_its_streams_for_their_clients_to_reconnect(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(sse_heartbeat_seconds=0.01)
    client = app.test_client()
    task_id = held(client)
    response, read = stream(client, task_id)
    assert [next(read).retry is not None, next(read).name] == [True, "task"]
    stop_streams(app)
    assert [block.name for block in read if block.comment is None] == []  # no end: not finished
    assert following(client) == 0
    late = list(blocks([get_events(client, task_id).data]))
    assert [block.name for block in events(late)] == ["task"]
    response.close()
