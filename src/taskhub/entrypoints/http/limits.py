"""Limits for browsers and abusive clients: CORS origins (flask-cors), per-client rate limits
(flask-limiter), and the proxies whose ``X-Forwarded-For`` names the client.

Only ``/api/`` is limited, and never a CORS preflight: health checks, the OpenAPI document and
its docs stay reachable, and a browser's preflight never fails (nor costs a second request).
"""

from __future__ import annotations

import time

from flask import Flask, Response, request
from flask_cors import CORS
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from taskhub.entrypoints.http.problems import problem_response
from taskhub.settings import Settings

# What a browser's script may send and read beyond the CORS-safelisted headers.
SENT = ["Content-Type", "Idempotency-Key", "Prefer", "If-None-Match", "Authorization"]
SENT += ["X-Request-ID", "Last-Event-ID"]
READ = ["Location", "Retry-After", "ETag", "Preference-Applied", "X-Request-ID"]
READ += ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
UNLIMITED = ("/api/docs", "/api/openapi.json")
# A Redis that hangs must not hang the requests: past this, they are counted in the process.
STORAGE_TIMEOUT_SECONDS = 0.5


def apply_limits(app: Flask, settings: Settings) -> None:
    """Trust ``forwarded_hops`` proxies, answer CORS for ``cors_origins``, limit by client."""
    if settings.forwarded_hops:
        hops = settings.forwarded_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    if settings.cors_origins:
        origins = [origin.strip() for origin in settings.cors_origins.split(",")]
        CORS(app, resources={"/api/*": {"origins": origins}}, allow_headers=SENT,
             expose_headers=READ, max_age=600)  # fmt: skip
    if settings.rate_limit:
        _limit(app, settings)


def _limit(app: Flask, settings: Settings) -> None:
    limiter = Limiter(
        get_remote_address,
        app=app,
        application_limits=[settings.rate_limit],
        application_limits_exempt_when=_unlimited,
        storage_uri=settings.effective_rate_limit_storage_url,
        storage_options=storage_options(settings.effective_rate_limit_storage_url),
        strategy="moving-window",
        # flask-limiter's own headers would raise every answer's Retry-After to the window's
        # end, a 202's polling hint included: ours go on, and Retry-After only on a 429.
        headers_enabled=False,
        swallow_errors=True,  # a storage outage lets requests through, logged, never a 500
        in_memory_fallback_enabled=True,
    )

    def limited(error: RateLimitExceeded) -> Response:
        detail = f"Too many requests from this client: the limit is {error.limit.limit}."
        response = problem_response(429, detail, code="rate_limited")
        if (current := limiter.current_limit) is not None:
            response.headers["Retry-After"] = str(max(1, int(current.reset_at - time.time())))
        return response

    def counted(response: Response) -> Response:
        if (current := limiter.current_limit) is not None:
            response.headers["X-RateLimit-Limit"] = str(current.limit.amount)
            response.headers["X-RateLimit-Remaining"] = str(current.remaining)
            response.headers["X-RateLimit-Reset"] = str(int(current.reset_at))
        return response

    app.register_error_handler(RateLimitExceeded, limited)
    app.after_request(counted)


def storage_options(url: str) -> dict[str, str | int]:
    if url.startswith("memory://"):
        return {}
    timeout: float = STORAGE_TIMEOUT_SECONDS  # redis-py takes seconds as a float
    return {"socket_timeout": timeout, "socket_connect_timeout": timeout}  # type: ignore[dict-item]


def _unlimited() -> bool:
    preflight = request.method == "OPTIONS"
    return preflight or not request.path.startswith("/api/") or request.path.startswith(UNLIMITED)
