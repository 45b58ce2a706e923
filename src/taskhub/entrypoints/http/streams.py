"""``GET /api/tasks/{id}/events``: a task's status and progress as Server-Sent Events.

Each change is a ``task`` event whose data is the task (as the status endpoint shows it) and whose
id is ``{version}.{1 if a cancel is requested else 0}`` (the cancel mark is saved in place, keeping
the version), so an ``EventSource`` that reconnects sends ``Last-Event-ID`` and picks up after what
it had; a plain version (the ids of earlier releases) reads as ``{version}.0``. A finished task's
event is followed by an ``end`` event and the stream closes; a client that reconnects with the
final id gets ``204``, which tells an EventSource to stop. Keep-alive comments go out every
``TASKHUB_SSE_HEARTBEAT_SECONDS``: writing one to a client that has gone fails, which ends the
stream and releases its subscription. A stream lasts ``TASKHUB_SSE_MAX_SECONDS`` at most and
tells the client to reconnect after ``RETRY_MILLISECONDS``.

Each open stream holds a thread of the web server (gunicorn's ``--threads``), so a process holds at
most ``TASKHUB_SSE_MAX_STREAMS`` at once and answers 503 ``too_many_streams`` beyond them. A server
without threads (gunicorn's sync worker) would be held whole by one stream, and killed at its
``--timeout``: there every stream is refused, 503 ``streams_unsupported``. ``stop_streams``
(gunicorn's graceful stop) ends the open streams at their next wake-up or keep-alive, for their
clients to reconnect elsewhere.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Generator, Iterator
from contextlib import closing
from uuid import UUID

from flask import Flask, Response, current_app, request

from taskhub.application.following import Seen
from taskhub.domain.task import Task
from taskhub.entrypoints.http.problems import problem_response
from taskhub.entrypoints.http.schemas import TASK_SCHEMA
from taskhub.entrypoints.http.state import service, settings

EVENT_STREAM = "text/event-stream"
RETRY_MILLISECONDS = 2000
RETRY_AFTER_SECONDS = "5"
EVENT_ID = re.compile(r"([0-9]{1,18})(?:\.([01]))?")  # what this stream sends as ids, or sent
EXTENSION = "taskhub.streams"

LAST_EVENT_ID = {
    "name": "Last-Event-ID",
    "in": "header",
    "description": "The id of the last event received (an EventSource sends it when it "
    "reconnects): the stream starts after that state. Any other value is ignored.",
    "schema": {"type": "string"},
}
STREAM_RESPONSES = {
    200: {
        "description": "Server-Sent Events until the task is finished: a `task` event per "
        "change (`id` the task's version and whether a cancel is requested, `7.0` or `7.1`; "
        "`data` the Task as JSON, as the status endpoint shows it), then an `end` event "
        "(`data` its final status); `:` comments keep the connection alive. The stream "
        "closes after at most `TASKHUB_SSE_MAX_SECONDS`; "
        "`retry:` says when to reconnect.",
        "content": {EVENT_STREAM: {"schema": {"type": "string"}}},
    },
    204: {"description": "The client's `Last-Event-ID` is the finished task's last event's id."},
    503: "SERVICE_UNAVAILABLE",
}


class StreamSlots:
    """How many streams this process may still open: each holds one of the server's threads;
    and ``stopping``, set once the process is stopping, which ends them."""

    def __init__(self, limit: int) -> None:
        self._free = threading.BoundedSemaphore(limit)
        self.stopping = threading.Event()

    def take(self) -> bool:
        return self._free.acquire(blocking=False)

    def give_back(self) -> None:
        self._free.release()


def init_streams(app: Flask, limit: int) -> None:
    app.extensions[EXTENSION] = StreamSlots(limit)


def stop_streams(app: object) -> None:
    """End the app's open streams soon (their clients reconnect, to a process that stays), and
    any opened from now on after its first event. ``app`` as a server holds it: not always ours."""
    slots = getattr(app, "extensions", {}).get(EXTENSION)
    if isinstance(slots, StreamSlots):
        slots.stopping.set()


def task_events(task_id: UUID) -> Response:
    """The stream of the task's states after the one the client has (``Last-Event-ID``)."""
    task, seen = service().get(task_id), last_event_id()
    if task.is_finished and Seen.of(task) == seen:
        return current_app.response_class(status=204)
    if not request.environ.get("wsgi.multithread", False):
        detail = (
            "This server has no threads to hold event streams: run gunicorn with --threads "
            "(or a threaded server); poll the task's status meanwhile."
        )
        return problem_response(503, detail, code="streams_unsupported")
    slots: StreamSlots = current_app.extensions[EXTENSION]
    if not slots.take():
        detail = "This server holds as many event streams as it may; try again shortly."
        headers = {"Retry-After": RETRY_AFTER_SECONDS}
        return problem_response(503, detail, code="too_many_streams", headers=headers)
    options = settings()
    states = service().follow(
        task_id,
        seen,
        every=options.sse_heartbeat_seconds,
        longest=options.sse_max_seconds,
        stopping=slots.stopping,
    )
    response = current_app.response_class(server_sent(states), mimetype=EVENT_STREAM)
    response.headers.update({"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    response.call_on_close(slots.give_back)  # however the stream ends, even before it began
    return response


def last_event_id() -> Seen | None:
    """What the client last had: the id of the last event it received, if one of ours."""
    found = EVENT_ID.fullmatch(request.headers.get("Last-Event-ID", "").strip())
    return None if found is None else Seen(int(found[1]), found[2] == "1")


def event_id(task: Task) -> str:
    seen = Seen.of(task)
    return f"{seen.version}.{int(seen.cancel_requested)}"


def server_sent(states: Generator[Task | None]) -> Iterator[str]:
    """The states as the event stream's text: ``None`` (nothing new for a while) a comment."""
    with closing(states):  # a client gone: the follower's subscription is released at once
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        for task in states:
            if task is None:
                yield ": still following\n\n"
                continue
            yield event("task", TASK_SCHEMA.dump(task), event_id(task))
            if task.is_finished:
                yield event("end", {"status": str(task.status)})


def event(name: str, data: object, id_: str | None = None) -> str:
    """One event: its id (if any), its name, its data as one line of JSON."""
    lines = [] if id_ is None else [f"id: {id_}"]
    return "\n".join([*lines, f"event: {name}", f"data: {json.dumps(data)}"]) + "\n\n"
