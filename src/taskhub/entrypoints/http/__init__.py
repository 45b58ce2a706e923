"""The HTTP API: Flask and flask-smorest over the application layer.

Serve it with ``taskhub serve --port 8000`` in development, or with
``gunicorn 'taskhub.entrypoints.http:create_app()'`` in production.

``create_app`` is imported on first use, so that gunicorn's master, which reads
``taskhub.entrypoints.http.gunicorn_config`` but never serves, does not carry the whole app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from taskhub.entrypoints.http.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from taskhub.entrypoints.http.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
