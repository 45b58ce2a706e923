"""Limits for browsers and abusive clients: CORS origins (flask-cors), per-client rate limits
(flask-limiter), and the proxies whose ``X-Forwarded-For`` names the client.

Only ``/api/`` is limited: health checks, the OpenAPI document and its docs never are, so a
load balancer's probes and a client's tooling cannot be throttled out of service.
"""

from __future__ import annotations

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
        Limiter(
            get_remote_address,
            app=app,
            application_limits=[settings.rate_limit],
            application_limits_exempt_when=_unlimited,
            storage_uri=settings.effective_rate_limit_storage_url,
            strategy="moving-window",
            headers_enabled=True,
            swallow_errors=True,  # a storage outage lets requests through, logged, rather than 500s
            in_memory_fallback_enabled=True,
        )
        app.register_error_handler(RateLimitExceeded, _limited)


def _unlimited() -> bool:
    return not request.path.startswith("/api/") or request.path.startswith(UNLIMITED)


def _limited(error: RateLimitExceeded) -> Response:
    detail = f"Too many requests from this client: the limit is {error.limit.limit}."
    return problem_response(429, detail, code="rate_limited")
