"""A body over the limit is 413 however it is sent: with a Content-Length, or chunked (which
carries none, so werkzeug would otherwise hand on a truncated body: a 400 "Invalid JSON")."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from taskhub.testing import user_fields
from tests.e2e.server import Server, gunicorn_command, serve_command

COMMANDS = {"taskhub serve": serve_command, "gunicorn as the README says": gunicorn_command}
LIMIT = 200


def chunked(body: bytes, size: int = 64) -> Iterator[bytes]:
    return (body[start : start + size] for start in range(0, len(body), size))


def post(server: Server, body: bytes, *, chunks: bool) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Content-Type": "application/json"}
    try:
        sent = chunked(body) if chunks else body
        connection.request("POST", "/api/users/", sent, headers, encode_chunked=chunks)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_body_over_the_limit_is_413_with_or_without_a_content_length(
    command: Callable[[int], list[str]], tmp_path: Path
) -> None:
    env = {"TASKHUB_DATA_DIR": str(tmp_path), "TASKHUB_MAX_BODY_BYTES": str(LIMIT)}
    server = Server(env, tmp_path / "server.log", command)
    try:
        small = json.dumps(user_fields()).encode()
        exact = json.dumps(user_fields(first_name="")).encode()
        exact = exact.replace(
            b'"first_name": ""', b'"first_name": "' + b"x" * (LIMIT - len(exact)) + b'"'
        )
        large = json.dumps(user_fields(first_name="x" * 2 * LIMIT)).encode()
        assert len(small) < len(exact) == LIMIT < len(large)
        bodies = (small, exact, large)
        statuses = [
            post(server, body, chunks=chunks) for body in bodies for chunks in (False, True)
        ]
    finally:
        server.stop()
    assert statuses == [202, 202, 202, 202, 413, 413]
