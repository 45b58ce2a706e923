"""Which optional dependency group (``pip install 'taskhub[group]'``) brings a missing module."""

from __future__ import annotations

EXTRAS = {
    "flask": "http", "flask_smorest": "http", "marshmallow": "http", "swagger_ui_bundle": "http",
    "gunicorn": "server", "celery": "celery", "kombu": "celery", "redis": "celery",
    "psycopg2": "postgres",
}  # fmt: skip


def missing_extra(error: ModuleNotFoundError) -> str:
    """The extra to install, in one line; a module no extra brings is a bug: raised again."""
    extra = EXTRAS.get((error.name or "").partition(".")[0])
    if extra is None:
        raise error
    return f"This command needs taskhub's '{extra}' dependencies: pip install 'taskhub[{extra}]'."
