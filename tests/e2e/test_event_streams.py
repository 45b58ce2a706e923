"""Task event streams under gunicorn as the README runs it (``--workers 2 --threads 8``): each
worker process holds at most ``TASKHUB_SSE_MAX_STREAMS`` open, refuses more with 503, and frees a
stream's thread once its client has hung up, which the next keep-alive finds out.

Tasks go to a private Redis that no Celery worker reads, so they stay PENDING and their streams
stay open for as long as the test needs. Which worker accepts a connection is the kernel's
choice, so the test pauses the other one (SIGSTOP) while it opens a stream it means for one.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from taskhub.testing import user_fields
from tests.e2e.server import Server, gunicorn_command
from tests.e2e.test_rate_limit import workers
from tests.processes import RedisServer, eventually
from tests.sse import StreamClient

SETTLE = 60  # seconds: generous for a shared 2-core machine; each wait ends as soon as it can


@contextmanager
def only(server: Server, serving: int) -> Iterator[None]:
    """While the block runs, every connection is accepted by the worker ``serving``."""
    others = [pid for pid in workers(server) if pid != serving]
    for pid in others:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in others:
            os.kill(pid, signal.SIGCONT)


def stream_from(server: Server, serving: int, path: str) -> StreamClient:
    with only(server, serving):
        stream = StreamClient(server.url, path)
        first = next(block for block in stream.blocks() if block.name == "task")
    assert (stream.status, first.data["status"]) == (200, "PENDING")
    return stream


def accepted_by(server: Server, serving: int, path: str) -> StreamClient | None:
    with only(server, serving):
        stream = StreamClient(server.url, path)
    if stream.status == 200:
        return stream
    stream.close()
    return None


def test_each_worker_holds_its_most_streams_and_frees_one_whose_client_hung_up(
    private_redis: RedisServer, tmp_path: Path
) -> None:
    env = {
        "TASKHUB_DATA_DIR": str(tmp_path / "data"),
        "TASKHUB_BUS": "celery",
        "TASKHUB_BROKER_URL": private_redis.url,
        "TASKHUB_SSE_MAX_STREAMS": "1",
        "TASKHUB_SSE_HEARTBEAT_SECONDS": "0.2",
    }
    log = tmp_path / "gunicorn.log"
    server = Server(env, log, gunicorn_command)
    opened: list[StreamClient] = []
    try:
        eventually(lambda: len(workers(server)) == 2, 30, "two gunicorn workers")
        eventually(lambda: log.read_text().count("Booting worker") == 2, 30, "both booted")
        first, second = workers(server)
        task_id = server.request("POST", "/api/users/", user_fields()).body["task_id"]
        path = f"/api/tasks/{task_id}/events"
        opened += [stream_from(server, first, path), stream_from(server, second, path)]
        beyond = server.request("GET", path)  # each worker holds its one stream: nowhere to go
        assert (beyond.status, beyond.body["code"]) == (503, "too_many_streams")
        assert beyond.headers["Retry-After"] == "5"
        opened[0].close()  # the first worker's client hangs up
        again = lambda: accepted_by(server, first, path)  # noqa: E731
        opened.append(eventually(again, SETTLE, "the first worker to free its stream's thread"))
    finally:
        for stream in opened:
            stream.close()
        assert server.stop() == 0, log.read_text()
