"""The tasks, as an operator follows them: a table filtered by status, operation and when they
were submitted (``TaskService.list``, the API's list), one task's page, and its cancel and retry.

Cancel and retry are form posts (with their CSRF token) calling ``TaskService.cancel`` and
``TaskService.retry``, as the API does; a refusal of the domain (it finished meanwhile, another
administrator retried it first) is a banner on the task's page, never an error page.
"""

from __future__ import annotations

from uuid import UUID

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from taskhub.domain.errors import InvalidInput, InvalidQuery, TaskAlreadyRetried, TaskStateConflict
from taskhub.domain.task import Operation, TaskStatus
from taskhub.entrypoints.console.blueprint import console
from taskhub.entrypoints.console.forms import ConfirmForm
from taskhub.entrypoints.console.progress import follow_attributes
from taskhub.entrypoints.console.task_facts import TaskFacts
from taskhub.entrypoints.console.task_queries import SPANS, read_query
from taskhub.entrypoints.http.observing import request_id
from taskhub.entrypoints.http.state import service

PAGE_SIZE = 25


@console.get("/tasks/")
def tasks() -> tuple[str, int]:
    """A page of tasks, newest first, matching the filters of the query string."""
    query = read_query(request.args, service().clock.now())
    cursor = request.args.get("cursor") or None
    try:  # the count on the first page only: it reads every match
        found = service().list(query.where, cursor, PAGE_SIZE, count=cursor is None)
    except InvalidQuery:  # a cursor edited by hand: the first page
        cursor, found = None, service().list(query.where, None, PAGE_SIZE, count=True)
    return render_template(
        "tasks/list.html", found=found, query=query, statuses=list(TaskStatus),
        operations=list(Operation), spans=list(SPANS), follow=follow_attributes,
        newest_link=url_for("console.tasks", **query.link_arguments()) if cursor else None,
        older_link=url_for("console.tasks", **query.link_arguments(found.next))
        if found.next else None,
    ), 400 if query.problems else 200  # fmt: skip


@console.get("/tasks/<uuid:task_id>/")
def task(task_id: UUID) -> str:
    """One task: its input and result, timings, links, and what may be done with it."""
    found = service().get(task_id)
    return render_template(
        "tasks/detail.html", task=found, facts=TaskFacts(found), form=ConfirmForm(),
        follow=follow_attributes(found),
    )  # fmt: skip


@console.post("/tasks/<uuid:task_id>/cancel")
def cancel_task(task_id: UUID) -> Response:
    """Cancel: at once if no runner holds it, else its runner is asked to stop."""
    if ConfirmForm().validate_on_submit():
        try:
            cancelled = service().cancel(task_id)
        except TaskStateConflict as refused:
            flash(refused.message, "error")
        else:
            flash(_cancel_outcome(cancelled.status), "ok")
    return redirect(url_for("console.task", task_id=task_id), 303)


@console.post("/tasks/<uuid:task_id>/retry")
def retry_task(task_id: UUID) -> Response:
    """Retry as a new task, and go to its page; a refusal stays on this one, saying why."""
    if ConfirmForm().validate_on_submit():
        try:
            again = service().retry(task_id, request_id=request_id())
        except TaskAlreadyRetried as retried:  # a second press, or someone else's: go there
            flash("It was retried already: this is the task that retries it.", "ok")
            return redirect(url_for("console.task", task_id=retried.retry_id), 303)
        except (TaskStateConflict, InvalidInput) as refused:
            flash(refused.message, "error")
        else:
            flash("Retried: this is the new task.", "ok")
            return redirect(url_for("console.task", task_id=again.id), 303)
    return redirect(url_for("console.task", task_id=task_id), 303)


def _cancel_outcome(status: TaskStatus) -> str:
    if status is TaskStatus.CANCELLED:
        return "Cancelled: nothing of its work was saved."
    return "Asked to stop: its runner stops it at its next safe point, or it finishes first."
