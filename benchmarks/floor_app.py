"""The floor: the least a create and a status read can cost on this stack, as a bare WSGI app.

A POST to ``/floor/`` parses its JSON body, INSERTs one row into a scratch table and COMMITs,
then LPUSHes the new id to a Redis list, and answers 202; a GET of ``/floor/<id>`` answers the
row read by its primary key. gunicorn serves it with the README's flags (without taskhub's
``--config`` hooks), so what taskhub spends beyond it is taskhub's own.

    BENCH_DATABASE_URL=postgresql://… BENCH_REDIS_URL=redis://… \\
        gunicorn … 'benchmarks.floor_app:create_app()'
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import psycopg2
import redis

TABLE = "bench_floor"
APPLICATION_NAME = "bench_floor"  # dbwork leaves these backends be: they cannot reconnect
QUEUE = "bench_floor"
CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id uuid PRIMARY KEY, body jsonb NOT NULL, "
    "created_at timestamptz NOT NULL DEFAULT now())"
)
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class Floor:
    """The WSGI app: one database connection per serving thread, one Redis client for all."""

    def __init__(self, database_url: str, redis_url: str) -> None:
        self._database_url = database_url
        self._redis = redis.Redis.from_url(redis_url)
        self._local = threading.local()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        if method == "POST" and path == "/floor/":
            return self._create(environ, start_response)
        if method == "GET" and path.startswith("/floor/"):
            return self._read(path.removeprefix("/floor/").strip("/"), start_response)
        if path == "/healthz":
            return _answer(start_response, "200 OK", {"status": "ok"})
        return _answer(start_response, "404 Not Found", {"code": "not_found"})

    def _create(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        task_id = str(uuid.uuid4())
        connection = self._connection()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (id, body) VALUES (%s, %s)", (task_id, json.dumps(body))
            )
        connection.commit()
        self._redis.lpush(QUEUE, task_id)
        return _answer(start_response, "202 Accepted", {"task_id": task_id})

    def _read(self, task_id: str, start_response: StartResponse) -> Iterable[bytes]:
        connection = self._connection()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, body, created_at FROM {TABLE} WHERE id = %s", (task_id,))
            row = cursor.fetchone()
        connection.rollback()  # end the read's transaction, as a session would
        if row is None:
            return _answer(start_response, "404 Not Found", {"code": "not_found"})
        found = {"id": str(row[0]), "body": row[1], "created_at": row[2].isoformat()}
        return _answer(start_response, "200 OK", found)

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = psycopg2.connect(
                self._database_url, application_name=APPLICATION_NAME
            )
        return connection


def _answer(start_response: StartResponse, status: str, body: Any) -> Iterable[bytes]:
    payload = json.dumps(body).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    start_response(status, headers)
    return [payload]


def create_app() -> Floor:
    """The app gunicorn serves, on the database and Redis its environment names."""
    return Floor(os.environ["BENCH_DATABASE_URL"], os.environ["BENCH_REDIS_URL"])
