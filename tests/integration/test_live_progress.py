"""Live progress on the production topology: a real Celery worker runs the task on PostgreSQL and
a private Redis (the broker and the events exchange both), and a web process of this test, on a
real HTTP server, streams what the worker does to clients that come and go.

The worker holds each ``gated…`` create after its progress report until the test opens the gate
(``gated_worker``), so the stream has something to show mid-run whatever the machine's speed.

Two web processes: one quick to notice a client gone (a short keep-alive, which also re-reads the
store), and one whose keep-alive is so long that only the events broker can tell it of a change in
time, which is what proves that the worker's events arrive.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

import pytest
from flask import Flask
from werkzeug.serving import make_server

from taskhub.adapters.celery.events import KombuEventPublisher
from taskhub.adapters.celery.followers import KombuEventSubscriber
from taskhub.application.progress import CHECKED
from taskhub.bootstrap import shut_down
from taskhub.domain.events import TaskProgressed
from taskhub.entrypoints.http import create_app
from taskhub.settings import Settings
from taskhub.testing import user_fields
from tests.e2e.server import request
from tests.integration.conftest import start_test_worker
from tests.processes import RedisServer, Worker, eventually
from tests.sse import Block, StreamClient
from tests.stack import stack_env

SETTLE = 60  # seconds: generous for a shared 2-core machine; each wait ends as soon as it can
HEARTBEAT = "0.2"  # seconds: a client that hangs up is noticed at the next keep-alive
QUIET = 30.0  # seconds: the keep-alive of the web process that must hear the worker's events
HEARD = QUIET / 3  # a change it shows sooner than this was heard, not read at a keep-alive


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """``app`` on a real threaded HTTP server in this process (werkzeug's, as ``taskhub serve``
    runs it), so that streams go over TCP; its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
def deployment(database_url: str, private_redis: RedisServer) -> dict[str, str]:
    """The settings every process shares: PostgreSQL, Redis as broker and events exchange."""
    return {**stack_env(database_url, private_redis.url), "TASKHUB_EVENTS_URL": private_redis.url}


@contextmanager
def web_process(deployment: dict[str, str], heartbeat: str | float) -> Iterator[Flask]:
    env = {**deployment, "TASKHUB_SSE_HEARTBEAT_SECONDS": str(heartbeat)}
    app = create_app(Settings.from_env(env))
    try:
        yield app
    finally:
        shut_down(app.extensions["taskhub"].container)


@pytest.fixture
def web(deployment: dict[str, str]) -> Iterator[Flask]:
    """A web process of the deployment, quick to notice a client gone."""
    with web_process(deployment, HEARTBEAT) as app:
        yield app


@pytest.fixture
def quiet_web(deployment: dict[str, str]) -> Iterator[Flask]:
    """A web process of the deployment that re-reads a task only every ``QUIET`` seconds."""
    with web_process(deployment, QUIET) as app:
        yield app


def version_of(event: Block) -> int:
    return int(str(event.id).split(".")[0])  # ids are ``{version}.{cancel mark}``


def task_events_until(blocks: Iterator[Block], last: Callable[[Block], bool]) -> list[Block]:
    """The ``task`` events read, up to and with the first for which ``last`` holds."""
    read: list[Block] = []
    for block in blocks:
        if block.name == "task":
            read.append(block)
            if last(block):
                return read
    raise AssertionError(f"the stream ended after {[b.data['progress'] for b in read]}")


def test_a_worker_s_progress_streams_live_resumes_and_ends_with_the_final_status(
    deployment: dict[str, str],
    web: Flask,
    quiet_web: Flask,
    start_worker: Callable[..., Worker],
    tmp_path: Path,
) -> None:
    subscriber = web.extensions["taskhub"].container.event_subscriber()
    fields = user_fields(username=f"gated_{uuid4().hex[:8]}")
    with serving(web) as url, serving(quiet_web) as quiet_url:
        task_id = request(url, "POST", "/api/users/", fields).body["task_id"]
        path = f"/api/tasks/{task_id}/events"
        first = StreamClient(url, path)  # before any worker runs: the task is PENDING
        quiet = StreamClient(quiet_url, path).blocks()
        start_test_worker(
            start_worker, {**deployment, "GATE_DIR": str(tmp_path)}, "gated_worker", 1
        )
        before = task_events_until(first.blocks(), lambda event: event.data["progress"] == CHECKED)
        assert subscriber.following == 1
        first.close()
        eventually(lambda: subscriber.following == 0, SETTLE, "the hung-up stream to be released")

        resumed = StreamClient(url, path, {"Last-Event-ID": str(before[-1].id)})
        blocks = resumed.blocks()
        assert (resumed.status, next(blocks).retry) == (200, 2000)
        assert next(blocks).comment == "still following"  # nothing new yet, and no repeat
        task_events_until(quiet, lambda event: event.data["progress"] == CHECKED)  # mid-run
        opened = time.monotonic()
        (tmp_path / fields["username"]).touch()  # the worker writes the user and ends the task
        task_events_until(quiet, lambda event: event.data["status"] == "DONE")
        took = time.monotonic() - opened
        assert took < HEARD, f"DONE after {took:.1f}s: read at a keep-alive, not heard"
        after = list(blocks)  # to the end of the stream, which the server closes
        finished = StreamClient(url, path, {"Last-Event-ID": str(after[0].id)})
        assert finished.status == 204

    events = [*before, *(block for block in after if block.name == "task")]
    assert [event.data["status"] for event in events] == [
        "PENDING", *["PROCESSING"] * (len(events) - 2), "DONE",
    ]  # fmt: skip
    progress, versions = [e.data["progress"] for e in events], [version_of(e) for e in events]
    assert progress == sorted(set(progress))
    assert (progress[0], CHECKED in progress, progress[-1]) == (0, True, 100)
    assert versions == sorted(set(versions))
    print(f"streamed: progress {progress}, versions {versions}")
    assert events[-1].data["result"]["user_id"] == events[0].data["related_id"]
    assert [block.name for block in after] == ["task", "end"]
    assert after[-1].data == {"status": "DONE"}
    eventually(lambda: subscriber.following == 0, SETTLE, "every stream to be released")


def test_the_subscriber_hears_again_once_its_broker_is_back(private_redis: RedisServer) -> None:
    subscriber, task_id = KombuEventSubscriber(private_redis.url), uuid4()
    try:
        watched = subscriber.follow(task_id)
        eventually(lambda: subscriber.listening, SETTLE, "the subscriber to listen")
        watched.wait(0)  # it woke as it began to listen: forget that
        private_redis.stop()
        eventually(lambda: not subscriber.listening, SETTLE, "the subscriber to lose Redis")
        private_redis.start()
        eventually(lambda: subscriber.listening, SETTLE, "the subscriber to listen again")
        assert watched.wait(0), "news sent while it was away is missed: it wakes its followers"
        publisher = KombuEventPublisher(private_redis.url)
        publisher.publish([TaskProgressed(task_id=task_id, progress=50)])
        assert watched.wait(SETTLE)
        publisher.close()
        watched.close()
    finally:
        subscriber.close()
