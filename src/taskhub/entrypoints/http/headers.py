"""Headers every answer carries for a browser's sake: no content sniffing, no referrer, and no
copy kept in any cache of what carries data (a user's fields, a task's result, the metrics).

Each is set only if the view left it unset: the console sets its stricter policies (and lets its
static files be cached). The OpenAPI document and its docs are the same for everyone, so caches
may keep them.
"""

from __future__ import annotations

from flask import Flask, Response, request

PUBLIC = ("/api/docs", "/api/openapi.json")


def add_security_headers(app: Flask) -> None:
    app.after_request(_secure)


def _secure(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if not request.path.startswith(PUBLIC):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
