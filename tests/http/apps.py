"""Building blocks for HTTP tests: settings for an in-memory API, and a bus that holds tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask.testing import FlaskClient

from taskhub.application.ports import StoreUnavailable
from taskhub.bootstrap import shut_down
from taskhub.entrypoints.http import create_app
from taskhub.settings import Settings


def published_document() -> dict[str, object]:
    """The OpenAPI document as the API serves it (an app is built to ask it, then shut down)."""
    app = create_app(memory_settings())
    try:
        document: dict[str, object] = app.test_client().get("/api/openapi.json").json
        return document
    finally:
        shut_down(app.extensions["taskhub"].container)


# What a threaded server says of itself, for event streams: the test client says it is not.
THREADED = {"wsgi.multithread": True}


def memory_settings(**overrides: Any) -> Settings:
    """In-memory store, tasks run inline as submitted, and a short cap on ``Prefer: wait``."""
    values: dict[str, Any] = {"database_url": "memory://", "bus": "inline", "max_wait_seconds": 2.0}
    return Settings(**{**values, **overrides})


def task_total(client: FlaskClient) -> int:
    """How many tasks the API holds, as the task list counts them when asked."""
    return int(client.get("/api/tasks/?count=true").headers["X-Total-Count"])


class UnreachableStore:
    """A unit of work (the port's fake) whose store cannot be reached: the database is down."""

    def read_only(self) -> UnreachableStore:
        return self

    def __enter__(self) -> UnreachableStore:
        raise StoreUnavailable("could not connect to postgresql://taskhub:secret@db:5432")

    def __exit__(self, *exc_info: object) -> None:
        return None


class BrokenClock:
    """A clock (the port's fake) that fails the way a bug would: with an unexpected error."""

    def now(self) -> datetime:
        raise RuntimeError("secret internals of a bug")
