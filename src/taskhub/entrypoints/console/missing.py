"""What the console answers for a user, task or token that does not exist (or no longer does)."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.wrappers import Response

from taskhub.domain.errors import ApiTokenNotFound, TaskNotFound, UserNotFound
from taskhub.entrypoints.console.blueprint import console
from taskhub.entrypoints.http.problems import domain_problem

DATA = {"console.task_json", "console.task_stream"}  # what scripts read: the API's problem


@console.errorhandler(UserNotFound)
@console.errorhandler(TaskNotFound)
@console.errorhandler(ApiTokenNotFound)
def not_found(error: UserNotFound | TaskNotFound | ApiTokenNotFound) -> Response | tuple[str, int]:
    if request.endpoint in DATA:
        return domain_problem(error)
    return render_template("missing.html", reason=error.message), 404
