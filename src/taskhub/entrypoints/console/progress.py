"""A task's progress on a console page: live (Server-Sent Events, the API's own stream), by
polling when a browser cannot stream, and rendered by the server when it has finished.

A failure's sentence is shown beside the field its ``code`` concerns (``FIELD_OF_CODE``), the
server's rendering and the page's script reading the one map.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from flask import jsonify, url_for
from werkzeug.wrappers import Response

from taskhub.domain.task import Task, TaskStatus
from taskhub.entrypoints.console.blueprint import console
from taskhub.entrypoints.http.schemas import TASK_SCHEMA
from taskhub.entrypoints.http.state import service
from taskhub.entrypoints.http.streams import task_events

FIELD_OF_CODE = {"username_taken": "username", "email_taken": "email"}


@console.get("/tasks/<uuid:task_id>.json")
def task_json(task_id: UUID) -> Response:
    """The task as the API's status endpoint shows it: what the page polls."""
    return jsonify(TASK_SCHEMA.dump(service().get(task_id)))


@console.get("/tasks/<uuid:task_id>/events")
def task_stream(task_id: UUID) -> Response:
    """The API's event stream of the task, behind the console's session."""
    return task_events(task_id)


@dataclass(frozen=True)
class Progress:
    """What a page shows of the task it submitted, and where to go once it is DONE."""

    task: Task
    done_url: str
    done_label: str

    @property
    def finished(self) -> bool:
        return self.task.is_finished

    @property
    def result(self) -> dict[str, Any]:
        return self.task.result if isinstance(self.task.result, dict) else {}

    @property
    def sentence(self) -> str:
        """The task's own words when finished, else what it is doing."""
        said = self.result.get("error") or self.result.get("message")
        return str(said) if self.finished and said else f"{self.task.status.title()}…"

    def field_errors(self) -> dict[str, list[str]]:
        """A FAILED task's sentence, by the field it concerns (none: shown with the task)."""
        if self.task.status is not TaskStatus.FAILED:
            return {}
        field = FIELD_OF_CODE.get(str(self.result.get("code")))
        return {field: [self.sentence]} if field else {}

    def attributes(self) -> dict[str, str]:
        """What the page's script reads from the panel's ``data-`` attributes."""
        return {
            "data-task": str(self.task.id),
            **follow_attributes(self.task),
            "data-fields": json.dumps(FIELD_OF_CODE),
        }


def follow_attributes(task: Task) -> dict[str, str]:
    """Where the page's script follows ``task`` (its stream, its JSON) and where it stands: a
    form's panel, a row of the tasks table and a task's page alike."""
    return {
        "data-status": str(task.status),
        "data-events": url_for("console.task_stream", task_id=task.id),
        "data-poll": url_for("console.task_json", task_id=task.id),
    }
