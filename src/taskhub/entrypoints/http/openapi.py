"""The OpenAPI side: the Api that renders problems, shared documentation, offline Swagger UI.

Swagger UI's scripts come from the ``swagger-ui-bundle`` package and are served by this app, so
the interactive docs at ``/api/docs`` work without internet access.
"""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import Any, TypeVar

import flask
import swagger_ui_bundle  # type: ignore[import-untyped]
from apispec import BasePlugin
from flask_smorest import Api, Blueprint
from werkzeug.exceptions import HTTPException

from taskhub.entrypoints.http.problems import PROBLEM_JSON, http_problem
from taskhub.entrypoints.http.schemas import AcceptedSchema, ProblemSchema, TaskSchema
from taskhub.entrypoints.http.submissions import IDEMPOTENCY_KEY

View = TypeVar("View", bound=Callable[..., Any])

API_CONFIG = {
    "API_TITLE": "taskhub",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "docs/assets/",  # relative to /api/docs, so a URL prefix works
    "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None},  # no badge fetched from the internet
    # OpenAPI 3.0 cannot say that an operation takes no other query parameter; this sentence does.
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Every change to a user runs as a task. An operation accepts only the "
            "query parameters it lists: any other is refused with 422 `invalid_query` naming it. "
            "Every response carries `X-Request-ID`: the request's own (1 to 128 letters, digits "
            "or `._:+/=-`), else a fresh one; the task a request submits keeps it for the logs. "
            "Where the operator sets a rate limit, a client beyond it gets 429 `rate_limited` "
            "with `Retry-After`. Where the operator requires authentication "
            "(`TASKHUB_AUTH=required`), every `/api/` operation needs `Authorization: Bearer "
            "<token>` (401 without a valid one; 403 for a read-only token's change); this "
            "document and its docs stay open."
        },
        # A token where the operator requires one; none otherwise (the empty alternative).
        "security": [{"bearerToken": []}, {}],
    },
}
BEARER_TOKEN = {"type": "http", "scheme": "bearer", "description": "`taskhub tokens create`"}

PREFER = {
    "name": "Prefer",
    "in": "header",
    "description": "`wait=N` (RFC 7240): hold the answer until the task finishes or N seconds "
    "pass (capped by the server); other preferences are ignored.",
    "schema": {"type": "string"},
}
IDEMPOTENCY_KEY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "description": "Retry safely: the same key and request return the first task; the same key "
    "with another request is refused (422); a racing duplicate gets 409. A key expires once its "
    "task is finished and the server's key lifetime (24 hours unless its operator changed it) "
    "has passed since its first request: it then names a new request, and makes a new task.",
    "schema": {"type": "string", "pattern": f"^{IDEMPOTENCY_KEY.pattern}$"},
}
ACCEPTED_HEADERS = {
    "Location": {"description": "The task's status endpoint.", "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds to wait before polling.", "schema": {"type": "string"}},
}
FINISHED_HEADERS = {
    "Content-Location": {
        "description": "The task's status endpoint.",
        "schema": {"type": "string"},
    },
    "Preference-Applied": {"description": "The wait honoured.", "schema": {"type": "string"}},
}
ETAG_HEADERS = {"ETag": {"description": "The representation's tag.", "schema": {"type": "string"}}}


LIST_HEADERS = {
    "Link": {
        "description": 'The next page, as `<URL>; rel="next"` (absent on the last page).',
        "schema": {"type": "string"},
    },
    "X-Total-Count": {
        "description": "How many the whole list holds (only with `count=true`).",
        "schema": {"type": "integer"},
    },
}


def error_component(status: http.HTTPStatus | None) -> dict[str, Any]:
    """The response component for ``status`` (``None``: the default error), as it is sent."""
    if status is not None and status < 400:
        return {"description": status.phrase}
    description = "A problem (RFC 9457)" if status is None else status.phrase
    return {"description": description, "content": {PROBLEM_JSON: {"schema": ProblemSchema}}}


class TokenRefusals(BasePlugin):
    """Each ``/api/`` operation documents the 401 and 403 of ``TASKHUB_AUTH=required``; the
    health checks, outside ``/api/``, need no token and say so."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any
    ) -> None:
        for operation in (operations or {}).values():
            if (path or "").startswith("/api/"):
                operation.setdefault("responses", {}).update(TOKEN_REFUSALS)
            else:
                operation["security"] = []


TOKEN_REFUSALS = {401: "UNAUTHORIZED", 403: "FORBIDDEN"}


class TaskhubApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, speaking RFC 9457 for every error and documenting it so.

    flask-smorest lazily registers a response per ``HTTPStatus`` name plus ``DEFAULT_ERROR`` as
    ``application/json``; its decorators refer to those names themselves (``@arguments`` to
    ``UNPROCESSABLE_ENTITY``), so ours must keep them. ``init_app`` re-registers them, lazily,
    through the public ``spec.components``:
    apispec refuses only a name already in the document and lets a pending lazy one be replaced.
    Should it ever refuse that, app creation raises ``DuplicateComponentNameError``: loud, never a
    silently wrong document.
    """

    # Also what flask-smorest's own defaults resolve: no unused ``Error`` schema is registered.
    ERROR_SCHEMA = ProblemSchema

    def init_app(self, app: flask.Flask, *, spec_kwargs: dict[str, Any] | None = None) -> None:
        spec_kwargs = {"extra_plugins": [TokenRefusals()], **(spec_kwargs or {})}
        super().init_app(app, spec_kwargs=spec_kwargs)
        components = self.spec.components
        for status in http.HTTPStatus:
            components.response(status.name, error_component(status), lazy=True)
        default = error_component(None)
        components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)
        components.security_scheme("bearerToken", BEARER_TOKEN)

    def handle_http_exception(self, error: HTTPException) -> flask.Response:
        """flask-smorest's documented hook for error bodies: ours are problems."""
        return http_problem(error)


# For ``blp.route(..., parameters=...)`` of a URL whose every method submits. Given to ``blp.doc``
# instead, they would replace the query parameters ``blp.arguments`` documents for the same view.
SUBMISSION_HEADERS = [IDEMPOTENCY_KEY_HEADER, PREFER]


def submission(blp: Blueprint) -> Callable[[View], View]:
    """Document a submitting view: 202 (or 200 after a wait) and its refusals.

    The request headers a submission reads are documented by its route: ``SUBMISSION_HEADERS``.
    """

    def document(view: View) -> View:
        view = blp.response(202, AcceptedSchema, headers=ACCEPTED_HEADERS)(view)
        finished = "The task finished within the wait asked by `Prefer: wait=N`."
        view = blp.alt_response(
            200, schema=TaskSchema, description=finished, headers=FINISHED_HEADERS, success=True
        )(view)
        refusals = {409: "CONFLICT", 422: "UNPROCESSABLE_ENTITY"}
        documented: View = blp.doc(responses=refusals)(view)
        return documented

    return document


swagger_ui_assets = flask.Blueprint("swagger-ui-assets", __name__)


@swagger_ui_assets.route("/api/docs/assets/<path:filename>")
def swagger_ui_asset(filename: str) -> flask.Response:
    return flask.send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)
