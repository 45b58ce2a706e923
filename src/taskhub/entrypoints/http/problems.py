"""One error format: RFC 9457 ``application/problem+json``, and the one map from errors to HTTP.

Every 4xx and 5xx leaves through ``problem_response``: a domain error, a refused request
(routing, content type, body size, a part unread) or an unexpected failure (logged, never shown).
"""

from __future__ import annotations

import http
import logging
from collections.abc import Collection, Mapping
from typing import Any

from flask import Response, current_app, json
from werkzeug.exceptions import HTTPException, UnprocessableEntity

from taskhub.application.ports import StoreUnavailable
from taskhub.domain.errors import (
    ApiTokenNotFound,
    DomainError,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    InvalidInput,
    InvalidQuery,
    TaskNotFound,
    TaskStateConflict,
    TokenReadOnly,
    Unauthenticated,
)

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = "tag:taskhub,2025:problem:{code}"

# The only place that decides which status an error of ours gets; the most specific class wins.
STATUS_BY_ERROR: dict[type[Exception], int] = {
    Unauthenticated: 401,  # InvalidToken too
    TokenReadOnly: 403,
    TaskNotFound: 404,
    ApiTokenNotFound: 404,
    InvalidInput: 422,  # InvalidUserData and InvalidQuery too
    IdempotencyKeyReused: 422,
    IdempotencyKeyInFlight: 409,
    TaskStateConflict: 409,  # cancel a finished task; retry one not FAILED/CANCELLED, or redacted
    StoreUnavailable: 503,
    DomainError: 422,
}
RETRY_AFTER_UNAVAILABLE = "5"
# Where webargs (or ``UnreadableRequest``) found what it could not read, in a problem's words.
PARTS = {"query": "query string", "json": "request body", "headers": "request headers"}


def status_for(error: Exception) -> int:
    return next(STATUS_BY_ERROR[kind] for kind in type(error).__mro__ if kind in STATUS_BY_ERROR)


def problem_response(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The problem (``problem_document``) as a response, with ``headers``."""
    body = json.dumps(problem_document(status, detail, code, errors or {}))
    response = current_app.response_class(body, status, mimetype=PROBLEM_JSON)
    response.headers.update(headers or {})
    return response


def problem_document(
    status: int, detail: str, code: str | None, errors: Mapping[str, Any]
) -> dict[str, Any]:
    """``code`` is the domain error's, else the status phrase in snake case (``not_found``): one
    member to switch on, whatever went wrong; ``type`` names it, or is ``about:blank``."""
    phrase = http.HTTPStatus(status).phrase
    return {
        "type": PROBLEM_TYPE.format(code=code) if code else "about:blank",
        "title": code.replace("_", " ").capitalize() if code else phrase,
        "status": status,
        "detail": detail,
        "code": code or phrase.lower().replace(" ", "_").replace("-", "_"),
        "errors": flatten_errors(errors),
    }


def flatten_errors(errors: Mapping[str, Any], prefix: str = "") -> dict[str, list[str]]:
    """Field -> messages, with nested fields as dotted names, so clients read one flat shape."""
    flat: dict[str, list[str]] = {}
    for name, messages in errors.items():
        field = f"{prefix}{name}"
        if isinstance(messages, Mapping):
            flat.update(flatten_errors(messages, f"{field}."))
        else:
            listed = messages if isinstance(messages, list | tuple) else [messages]
            flat[field] = [str(message) for message in listed]
    return flat


def domain_problem(error: DomainError | StoreUnavailable) -> Response:
    status = status_for(error)
    if isinstance(error, StoreUnavailable):
        log.error("The store is unavailable: %s", error)
        detail = "The store of record cannot be reached; try again shortly."
        headers = {"Retry-After": RETRY_AFTER_UNAVAILABLE}
        return problem_response(status, detail, code="store_unavailable", headers=headers)
    errors = getattr(error, "errors", None)
    return problem_response(status, error.message, code=error.code, errors=errors)


def http_problem(error: HTTPException) -> Response:
    """Render a werkzeug or webargs error; a 500 says only that something went wrong."""
    status = error.code or 500
    if status < 400:
        return current_app.response_class(status=status, headers=error.get_headers())
    data = getattr(error, "data", None) or {}
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    if status == 500:
        return problem_response(status, "An unexpected error occurred; it has been logged.")
    messages = data.get("messages") or {}
    errors = flatten_errors(data.get("errors") or _by_field(messages))
    if status == 422 and errors:
        return unreadable_problem(list(messages), errors)
    detail = data.get("message") or _first(errors) or error.description
    return problem_response(status, detail or "", errors=errors, headers=headers)


class UnreadableRequest(UnprocessableEntity):
    """422 for what no schema reads (a header, an undocumented query parameter), as webargs'."""

    def __init__(self, location: str, errors: Mapping[str, list[str]]) -> None:
        super().__init__()
        self.data = {"messages": {location: dict(errors)}}


def unreadable_problem(locations: Collection[str], errors: Mapping[str, list[str]]) -> Response:
    """422 for a request not read: ``invalid_query`` if only its query, else ``invalid_input``
    (the domain's codes for the same refusals: one code whoever refused); HTTP's own sentence."""
    location = next(iter(locations)) if len(locations) == 1 else ""
    code = InvalidQuery.code if location == "query" else InvalidInput.code
    listed = " ".join(f"{field}: {' '.join(problems)}" for field, problems in errors.items())
    detail = f"Could not accept the {PARTS.get(location, 'request')}. {listed}"
    return problem_response(422, detail, code=code, errors=errors)


def _first(errors: Mapping[str, list[str]]) -> str | None:
    return next((messages[0] for messages in errors.values() if messages), None)


def _by_field(messages: Mapping[str, Any]) -> Mapping[str, Any]:
    """webargs keys messages by location first (``{"json": {...}}``); clients want fields."""
    merged: dict[str, Any] = {}
    for location, problems in messages.items():
        merged.update(problems if isinstance(problems, Mapping) else {location: problems})
    return merged
