"""The rate limit under gunicorn as the README runs it: two worker processes share one count
in Redis, and a Redis outage lets requests through rather than failing them."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tests.e2e.server import Server, gunicorn_command
from tests.processes import RedisServer, eventually

LIMIT = 5


def workers(server: Server) -> list[int]:
    pid = server.process.pid
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def statuses_from_one_worker(server: Server, serving: int, paused: int, count: int) -> list[int]:
    """``count`` requests, all answered by ``serving``: the other is stopped meanwhile."""
    os.kill(paused, signal.SIGSTOP)
    try:
        return [server.request("GET", "/api/tasks/").status for _ in range(count)]
    finally:
        os.kill(paused, signal.SIGCONT)


def test_two_workers_share_one_count_and_an_outage_of_its_store_fails_open(
    private_redis: RedisServer, tmp_path: Path
) -> None:
    env = {
        "TASKHUB_DATA_DIR": str(tmp_path / "data"),
        "TASKHUB_RATE_LIMIT": f"{LIMIT}/minute",
        "TASKHUB_RATE_LIMIT_STORAGE_URL": private_redis.url,
    }
    log = tmp_path / "gunicorn.log"
    server = Server(env, log, gunicorn_command)
    try:
        eventually(lambda: len(workers(server)) == 2, 30, "two gunicorn workers")
        eventually(lambda: log.read_text().count("Booting worker") == 2, 30, "both booted")
        first, second = workers(server)
        assert statuses_from_one_worker(server, first, second, 3) == [200] * 3
        assert statuses_from_one_worker(server, second, first, 4) == [200, 200, 429, 429]
        refused = server.request("GET", "/api/tasks/")
        assert refused.body["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) > 0
        private_redis.stop()
        during = [server.request("GET", "/api/tasks/").status for _ in range(3)]
        assert during == [200] * 3  # counted afresh in the process meanwhile, never a 500
        assert server.request("GET", "/healthz").status == 200
    finally:
        assert server.stop() == 0
