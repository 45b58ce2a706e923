"""Presence of real processes: a Celery worker's pool processes and a relay note themselves in
the store from their start, and the service lists them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from taskhub.application.ports import Sighting
from tests.integration.conftest import hub_for
from tests.processes import RedisServer, Worker, eventually
from tests.stack import stack_env

TASKHUB = [sys.executable, "-m", "taskhub.entrypoints.cli"]


def test_a_workers_pool_processes_and_a_relay_are_seen_while_they_run(
    database_url: str,
    private_redis: RedisServer,
    start_worker: Callable[..., Worker],
    tmp_path: Path,
) -> None:
    env = stack_env(database_url, private_redis.url)
    worker = start_worker(env, "--concurrency=2")
    relay = Worker(env, tmp_path / "relay.log", command=[*TASKHUB, "relay"])
    try:
        with hub_for(env) as hub:

            def seen() -> list[Sighting] | None:
                found = hub.service().workers_seen()
                roles = sorted(s.role for s in found)
                return found if roles == ["relay", "worker", "worker"] else None

            found = eventually(seen, 30, "two pool processes and a relay to be seen")
    finally:
        relay.stop()
    assert set(worker.children()) == {s.pid for s in found if s.role == "worker"}
