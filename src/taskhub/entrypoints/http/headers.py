"""Headers every answer carries for a browser's sake: no content sniffing, no referrer, and no
copy of the API's data kept in any cache (a user's fields, a task's result).

Each is set only if the view left it unset: an event stream keeps its own ``Cache-Control``, and
the console its stricter policies. The OpenAPI document and its docs are the same for everyone,
so caches may keep them.
"""

from __future__ import annotations

from flask import Flask, Response, request

PUBLIC = ("/api/docs", "/api/openapi.json")


def add_security_headers(app: Flask) -> None:
    app.after_request(_secure)


def _secure(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.path.startswith("/api/") and not request.path.startswith(PUBLIC):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
