"""Bearer tokens for ``/api/``: when ``TASKHUB_AUTH=required``, a request needs a valid one.

Open to all whatever the setting: the OpenAPI document and its docs (a client needs them to
learn how to authenticate), CORS preflights (a browser sends no credentials with them), and the
health checks and metrics, which are not under ``/api/``. A missing or refused token is 401 with
``WWW-Authenticate`` (RFC 6750); a read-only token asking for a change is 403.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from taskhub.domain.errors import InvalidToken, TokenReadOnly, Unauthenticated
from taskhub.entrypoints.http.state import api_state

OPEN = ("/api/docs", "/api/openapi.json")
READS = frozenset({"GET", "HEAD", "OPTIONS"})
REALM = 'Bearer realm="taskhub"'
CHALLENGES = {
    Unauthenticated.code: REALM,
    InvalidToken.code: f'{REALM}, error="invalid_token"',
    TokenReadOnly.code: f'{REALM}, error="insufficient_scope"',
}


def require_tokens(app: Flask) -> None:
    """Check each ``/api/`` request's token before its view runs (``TASKHUB_AUTH=required``)."""
    app.before_request(_check_token)
    app.after_request(_challenge)


def _check_token() -> None:
    if request.method == "OPTIONS" or not request.path.startswith("/api/"):
        return
    if request.path.startswith(OPEN):
        return
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated()
    token = api_state().container.api_tokens().authenticate(secret.strip())
    if not token.allows(writes=request.method not in READS):
        raise TokenReadOnly()
    g.api_token = token


def _challenge(response: Response) -> Response:
    """A refusal of ours says how to authenticate, as RFC 6750 asks of a 401 (and a 403)."""
    if response.status_code in (401, 403) and response.mimetype == "application/problem+json":
        code = (response.get_json(silent=True) or {}).get("code")
        if code in CHALLENGES:
            response.headers["WWW-Authenticate"] = CHALLENGES[code]
    return response
