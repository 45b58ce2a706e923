"""Answering for a task: 202 with its address, replayed by Idempotency-Key, held by Prefer: wait.

Submissions answer ``202 Accepted`` with the seed's body, ``Location`` and ``Retry-After``. With
``Prefer: wait=N`` a submission whose task finishes within N seconds answers ``200`` with the task
instead (``Content-Location`` names its status endpoint); the status endpoint always answers 200,
or 304 when ``If-None-Match`` names the task's tag (``task_tag``), without dumping it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from flask import Response, jsonify, request, url_for

from taskhub.application.commands import Command
from taskhub.application.service import Idempotency
from taskhub.domain.task import Task
from taskhub.entrypoints.http.observing import request_id
from taskhub.entrypoints.http.problems import UnreadableRequest
from taskhub.entrypoints.http.schemas import TASK_SCHEMA
from taskhub.entrypoints.http.state import service, settings

IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,255}")  # printable ASCII, as the IETF draft's sf-string
WAIT_PREFERENCE = re.compile(r"\s*wait\s*=\s*\"?([0-9]+)\"?\s*", re.IGNORECASE)
RETRY_AFTER_SECONDS = "1"
# A tag names a state of a task, not of its JSON: this digest of the published fields stands for
# the shape, so that a release that adds or drops one does not answer 304 to an older tag.
SHAPE = hashlib.sha256(",".join(TASK_SCHEMA.fields).encode()).hexdigest()[:8]
# What a submitting view returns: a 202 for flask-smorest to dump, or a finished task's 200.
Answer = Response | tuple[dict[str, Any], int, dict[str, str]]


def accept(command: Command, action: str) -> Answer:
    """Submit ``command`` and answer for its task (``accepted``)."""
    task = service().submit(command, idempotency_for(command.input_data()), request_id())
    return accepted(task, action)


def accepted(task: Task, action: str) -> Answer:
    """Answer for a submitted task; ``action`` completes "Task created to ...".

    The 202 is a ``(body, status, headers)`` tuple, for the ``submission`` view's
    ``blp.response(202, AcceptedSchema)`` to dump; the 200 after a wait is already a response.
    """
    wait = preferred_wait(settings().max_wait_seconds)
    where = url_for("tasks.status", task_id=task.id)
    if wait is not None and (task := task_after(task.id, wait)).is_finished:
        return task_response(task, 200, {"Content-Location": where, **waited(wait)})
    body = {"task_id": task.id, "message": f"Task created to {action}", "status_endpoint": where}
    return body, 202, {"Location": where, "Retry-After": RETRY_AFTER_SECONDS, **waited(wait)}


def current_status(task_id: UUID) -> Response:
    """The task's status with a strong ETag; 304 when If-None-Match names it, before the task
    is dumped: a poll of an unchanged task costs its read and no more."""
    wait = preferred_wait(settings().max_wait_seconds)
    task = task_after(task_id, wait)
    tag = task_tag(task)
    if not request.if_none_match.contains_weak(tag):  # RFC 9110's comparison for it
        response = task_response(task, 200, waited(wait))
        response.set_etag(tag)
        return response
    response = Response(headers=waited(wait))
    response.set_etag(tag)
    response.make_conditional(request)  # 304, as werkzeug words it (412 with If-Match)
    return response


def task_tag(task: Task) -> str:
    """What tells one visible state of a task from another: its id, its version (bumped by every
    save) and its cancel mark, which is saved in place, keeping the version (``cancellation``).
    The other writes in place (lease, relay backoff) change nothing the API shows."""
    return f"{task.id}.{task.version}.{int(task.cancel_requested)}.{SHAPE}"


def task_after(task_id: UUID, wait: float | None) -> Task:
    """The task now or, with ``wait``, once finished or after ``wait`` seconds at most."""
    if wait is None:
        return service().get(task_id)
    try:
        return service().wait(task_id, wait)
    except TimeoutError:
        return service().get(task_id)


def task_response(task: Task, status: int, headers: Mapping[str, str]) -> Response:
    """The task dumped by ``TaskSchema``, as a response flask-smorest passes on as it is: the
    status endpoint's (tagged, conditional) and a submission's 200 after a wait."""
    response = jsonify(TASK_SCHEMA.dump(task))
    response.status_code = status
    response.headers.update(headers)
    return response


def idempotency_for(input_data: Mapping[str, Any]) -> Idempotency | None:
    """The request's Idempotency-Key with a digest of what it asks: route, ids and input."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.fullmatch(key):
        problem = "Must be 1 to 255 printable ASCII characters, without spaces."
        raise UnreadableRequest("headers", {"Idempotency-Key": [problem]})
    rule = request.url_rule.rule if request.url_rule else request.path
    ids = {name: str(value) for name, value in (request.view_args or {}).items()}
    asked = [request.method, rule, ids, dict(input_data)]
    digest = hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()
    return Idempotency(key, digest)


def preferred_wait(cap: float) -> float | None:
    """Seconds asked for by ``Prefer: wait=N`` (RFC 7240), capped; other preferences are ignored."""
    for preference in ",".join(request.headers.getlist("Prefer")).split(","):
        if found := WAIT_PREFERENCE.fullmatch(preference.split(";")[0]):
            return min(float(found.group(1)), cap)
    return None


def waited(wait: float | None) -> dict[str, str]:
    """The headers saying that a wait preference was honoured (or nothing, if none was asked)."""
    if wait is None:
        return {}
    return {"Preference-Applied": f"wait={wait:g}", "Vary": "Prefer"}
