"""``/api/tasks/``: follow what was submitted (list, detail, status, live events), cancel it,
retry it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from flask import Response, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from taskhub.application.paging import Page
from taskhub.application.ports import TaskFilter
from taskhub.domain.task import Task
from taskhub.entrypoints.http.observing import request_id
from taskhub.entrypoints.http.openapi import (
    ACCEPTED_HEADERS,
    ETAG_HEADERS,
    LIST_HEADERS,
    PREFER,
    SUBMISSION_HEADERS,
    submission,
)
from taskhub.entrypoints.http.schemas import TaskQueryArgsSchema, TaskSchema
from taskhub.entrypoints.http.state import service
from taskhub.entrypoints.http.streams import LAST_EVENT_ID, STREAM_RESPONSES, task_events
from taskhub.entrypoints.http.submissions import (
    RETRY_AFTER_SECONDS,
    Answer,
    accepted,
    current_status,
    idempotency_for,
    task_response,
)

blp = Blueprint("tasks", __name__, url_prefix="/api/tasks", description="Submitted tasks.")


@blp.route("/", endpoint="tasks")
class Tasks(MethodView):
    @blp.arguments(TaskQueryArgsSchema, location="query")
    @blp.response(200, TaskSchema(many=True), headers=LIST_HEADERS)
    def get(self, args: dict[str, Any]) -> tuple[Sequence[Task], dict[str, str]]:
        """List tasks, newest first, filtered; the next page is the Link header's rel="next\""""
        paging = {name: args.pop(name, None) for name in ("cursor", "page_size", "count")}
        found = service().list(TaskFilter(**args), **paging)
        return found.items, list_headers(found)


@blp.route("/<uuid:task_id>/", endpoint="task")
class TaskDetail(MethodView):
    @blp.response(200, TaskSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, task_id: UUID) -> Task:
        """Get a task: its input, status, progress and result"""
        return service().get(task_id)


@blp.route("/<uuid:task_id>/status/", endpoint="status")
class TaskStatus(MethodView):
    @blp.response(200, TaskSchema, headers=ETAG_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.doc(parameters=["IF_NONE_MATCH", PREFER], responses={304: "NOT_MODIFIED"})
    def get(self, task_id: UUID) -> Response:
        """Get a task's status: poll cheaply with If-None-Match, or hold with Prefer: wait=N"""
        return current_status(task_id)


@blp.route("/<uuid:task_id>/cancel/", endpoint="cancel")
class TaskCancel(MethodView):
    @blp.response(200, TaskSchema)
    @blp.alt_response(
        202, schema=TaskSchema, headers=ACCEPTED_HEADERS, success=True,
        description="It is running: it stops at its next safe point, or finishes (its "
        "`cancel_requested_at` then says the cancel came too late). Follow it at `Location`.",
    )  # fmt: skip
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, task_id: UUID) -> Response:
        """Cancel a task: at once if no runner holds it, else at its next safe point"""
        task = service().cancel(task_id)
        if task.is_finished:
            return task_response(task, 200, {})
        where = url_for("tasks.status", task_id=task.id)
        return task_response(task, 202, {"Location": where, "Retry-After": RETRY_AFTER_SECONDS})


@blp.route("/<uuid:task_id>/retry/", endpoint="retry", parameters=SUBMISSION_HEADERS)
class TaskRetry(MethodView):
    @submission(blp)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, task_id: UUID) -> Answer:
        """Retry a FAILED or CANCELLED task: a new task with its input, linked both ways"""
        retry = service().retry(task_id, idempotency_for({}), request_id())
        return accepted(retry, f"retry task {task_id}")


@blp.route("/<uuid:task_id>/events", endpoint="events", strict_slashes=False)
class TaskEvents(MethodView):
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.doc(parameters=[LAST_EVENT_ID], responses=STREAM_RESPONSES)
    def get(self, task_id: UUID) -> Response:
        """Follow a task live: its status and progress as Server-Sent Events until it ends"""
        return task_events(task_id)


def list_headers(found: Page[Task]) -> dict[str, str]:
    """The next page's link (this request's query, from where this page ended) and the count,
    when asked for. The link is relative, so it stays right behind a proxy that rewrites hosts."""
    headers = {}
    if found.next is not None:
        query = {**request.args.to_dict(), "cursor": found.next}
        headers["Link"] = f'<{url_for("tasks.tasks")}?{urlencode(query)}>; rel="next"'
    if found.count is not None:
        headers["X-Total-Count"] = str(found.count)
    return headers
