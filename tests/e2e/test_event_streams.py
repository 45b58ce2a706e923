"""Task event streams under gunicorn as the README runs it (``--workers 2 --threads 8``): each
worker process holds at most ``TASKHUB_SSE_MAX_STREAMS`` open, refuses more with 503, and frees a
stream's thread once its client has hung up, which the next keep-alive finds out.

Tasks go to a private Redis that no Celery worker reads, so they stay PENDING and their streams
stay open for as long as the test needs.
"""

from __future__ import annotations

from pathlib import Path

from taskhub.testing import user_fields
from tests.e2e.server import Server, gunicorn_command
from tests.processes import RedisServer, eventually
from tests.sse import StreamClient

SETTLE = 60  # seconds: generous for a shared 2-core machine; each wait ends as soon as it can
ATTEMPTS = 40  # streams opened, at most, until each of the two workers holds one
Streams = list[StreamClient]


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
    try:
        eventually(lambda: log.read_text().count("Booting worker") == 2, 30, "both booted")
        task_id = server.request("POST", "/api/users/", user_fields()).body["task_id"]
        path = f"/api/tasks/{task_id}/events"
        held, refused = open_until_held(server.url, path, count=2)
        assert {stream.status for stream in refused} <= {503}
        for stream in refused:
            stream.close()
        for stream in held:
            first = next(block for block in stream.blocks() if block.name == "task")
            assert first.data["status"] == "PENDING"
        beyond = server.request("GET", path)  # both workers hold a stream: nowhere to go
        assert (beyond.status, beyond.body["code"]) == (503, "too_many_streams")
        assert beyond.headers["Retry-After"] == "5"
        held[0].close()
        again = eventually(lambda: accepted(server.url, path), SETTLE, "the freed stream's slot")
        again.close()
        held[1].close()
    finally:
        assert server.stop() == 0, log.read_text()


def open_until_held(url: str, path: str, count: int) -> tuple[Streams, Streams]:
    """Open streams until ``count`` are held open (which worker accepts each is the kernel's
    choice); the held ones and those refused."""
    held: Streams = []
    refused: Streams = []
    for _ in range(ATTEMPTS):
        stream = StreamClient(url, path)
        (held if stream.status == 200 else refused).append(stream)
        if len(held) == count:
            return held, refused
    raise AssertionError(f"{len(held)} of {count} streams held after {ATTEMPTS} attempts")


def accepted(url: str, path: str) -> StreamClient | None:
    stream = StreamClient(url, path)
    if stream.status == 200:
        return stream
    stream.close()
    return None
