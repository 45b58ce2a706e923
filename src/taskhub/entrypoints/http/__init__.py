"""The HTTP API: Flask and flask-smorest over the application layer.

Serve it with ``taskhub serve --port 8000`` in development, or with
``gunicorn 'taskhub.entrypoints.http:create_app()'`` in production.
"""

from taskhub.entrypoints.http.app import create_app

__all__ = ["create_app"]
