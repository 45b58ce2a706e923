"""``GET /api/tasks/{id}/events``: a task's status and progress as Server-Sent Events.

Each change is a ``task`` event whose data is the task (as the status endpoint shows it) and whose
id is the task's version, so an ``EventSource`` that reconnects sends ``Last-Event-ID`` and picks
up after what it had. A finished task's event is followed by an ``end`` event and the stream
closes; a client that reconnects with the final version gets ``204``, which tells an EventSource
to stop. Keep-alive comments go out every ``TASKHUB_SSE_HEARTBEAT_SECONDS``: writing one to a
client that has gone fails, which ends the stream and releases its subscription. A stream lasts
``TASKHUB_SSE_MAX_SECONDS`` at most and tells the client to reconnect after ``RETRY_MILLISECONDS``.

Each open stream holds a thread of the web server (gunicorn's ``--threads``), so a process holds at
most ``TASKHUB_SSE_MAX_STREAMS`` at once and answers 503 ``too_many_streams`` beyond them.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Generator, Iterator
from contextlib import closing
from uuid import UUID

from flask import Flask, Response, current_app, request

from taskhub.domain.task import Task
from taskhub.entrypoints.http.problems import problem_response
from taskhub.entrypoints.http.schemas import TaskSchema
from taskhub.entrypoints.http.state import service, settings

EVENT_STREAM = "text/event-stream"
RETRY_MILLISECONDS = 2000
RETRY_AFTER_SECONDS = "5"
VERSION = re.compile(r"[0-9]{1,18}")  # what this stream sends as ids; anything else is not ours
EXTENSION = "taskhub.streams"

LAST_EVENT_ID = {
    "name": "Last-Event-ID",
    "in": "header",
    "description": "The id of the last event received (an EventSource sends it when it "
    "reconnects): the stream starts after that version. Any other value is ignored.",
    "schema": {"type": "string"},
}
STREAM_RESPONSES = {
    200: {
        "description": "Server-Sent Events until the task is finished: a `task` event per "
        "change (`id` the task's version, `data` the Task as JSON, as the status endpoint "
        "shows it), then an `end` event (`data` its final status); `:` comments keep the "
        "connection alive. The stream closes after at most `TASKHUB_SSE_MAX_SECONDS`; "
        "`retry:` says when to reconnect.",
        "content": {EVENT_STREAM: {"schema": {"type": "string"}}},
    },
    204: {"description": "The client's `Last-Event-ID` is the finished task's last version."},
    503: "SERVICE_UNAVAILABLE",
}


class StreamSlots:
    """How many streams this process may still open: each holds one of the server's threads."""

    def __init__(self, limit: int) -> None:
        self._free = threading.BoundedSemaphore(limit)

    def take(self) -> bool:
        return self._free.acquire(blocking=False)

    def give_back(self) -> None:
        self._free.release()


def init_streams(app: Flask, limit: int) -> None:
    app.extensions[EXTENSION] = StreamSlots(limit)


def task_events(task_id: UUID) -> Response:
    """The stream of the task's states after the one the client has (``Last-Event-ID``)."""
    task, seen = service().get(task_id), last_event_id()
    if task.is_finished and task.version == seen:
        return current_app.response_class(status=204)
    slots: StreamSlots = current_app.extensions[EXTENSION]
    if not slots.take():
        detail = "This server holds as many event streams as it may; try again shortly."
        headers = {"Retry-After": RETRY_AFTER_SECONDS}
        return problem_response(503, detail, code="too_many_streams", headers=headers)
    options = settings()
    states = service().follow(
        task_id, seen, every=options.sse_heartbeat_seconds, longest=options.sse_max_seconds
    )
    response = current_app.response_class(server_sent(states), mimetype=EVENT_STREAM)
    response.headers.update({"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    response.call_on_close(slots.give_back)  # however the stream ends, even before it began
    return response


def last_event_id() -> int | None:
    """The version the client last had: the id of the last event it received, if one of ours."""
    given = request.headers.get("Last-Event-ID", "").strip()
    return int(given) if VERSION.fullmatch(given) else None


def server_sent(states: Generator[Task | None]) -> Iterator[str]:
    """The states as the event stream's text: ``None`` (nothing new for a while) a comment."""
    with closing(states):  # a client gone: the follower's subscription is released at once
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        for task in states:
            if task is None:
                yield ": still following\n\n"
                continue
            yield event("task", TaskSchema().dump(task), task.version)
            if task.is_finished:
                yield event("end", {"status": str(task.status)})


def event(name: str, data: object, event_id: int | None = None) -> str:
    """One event: its id (if any), its name, its data as one line of JSON."""
    lines = [] if event_id is None else [f"id: {event_id}"]
    return "\n".join([*lines, f"event: {name}", f"data: {json.dumps(data)}"]) + "\n\n"
