"""Headers of every console response: a page is never framed, sniffed, cached or leaked.

The CSP allows only what taskhub serves itself: no inline script or style (the templates have
none; the scripts read ``data-`` attributes), no other origin, no framing. ``Referrer-Policy:
same-origin`` (not ``no-referrer``) keeps the Referer on the console's own form posts, which
Flask-WTF checks over HTTPS; it never leaves the site. Pages carry data, so ``no-store``; the
static files carry none and may be cached.
"""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
STATIC_MAX_AGE = "public, max-age=3600"


def secure_console_answers(response: Response) -> Response:
    """``secured``, on every answer under ``/admin`` (a page no route matched included)."""
    if request.path == "/admin" or request.path.startswith("/admin/"):
        return secured(response)
    return response


def secured(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"  # what browsers without CSP 2 understand
    response.headers["Referrer-Policy"] = "same-origin"
    static = request.endpoint == "console.static"
    response.headers["Cache-Control"] = STATIC_MAX_AGE if static else "no-store"
    return response
