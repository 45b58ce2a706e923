"""Fixtures for integration tests: each broker in turn, altered workers, a hub like the stack's.

The services and processes themselves (a database, a private Redis, workers) are started by
fixtures in ``tests/conftest.py``, which the contract suites share.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

import taskhub
from taskhub.entrypoints.library import Hub
from tests.processes import ROOT, Worker
from tests.stack import RABBITMQ


@pytest.fixture(params=["redis", "rabbitmq"])
def broker(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(broker URL, queue) on a private Redis, then on the machine's RabbitMQ."""
    if request.param == "redis":
        return request.getfixturevalue("private_redis").url, "taskhub"
    return RABBITMQ, request.getfixturevalue("rabbitmq_queue")


def start_test_worker(
    start_worker: Callable[..., Worker], env: dict[str, str], app: str, concurrency: int
) -> Worker:
    """The plain ``celery -A tests.integration.<app> worker`` command: taskhub's worker with a
    handler a fault test changed (``poison_worker``, ``slow_worker``)."""
    celery = [sys.executable, "-m", "celery", "-A", f"tests.integration.{app}", "worker"]
    return start_worker(
        {**env, "PYTHONPATH": str(ROOT)},
        f"--concurrency={concurrency}", "--queues=taskhub", "--loglevel=INFO", command=celery,
    )  # fmt: skip


def hub_for(env: dict[str, str]) -> Hub:
    """A hub in this test process with the same settings as the stack's processes."""
    names = {key.removeprefix("TASKHUB_").lower(): value for key, value in env.items()}
    return taskhub.connect(
        taskhub.Settings.from_env({f"TASKHUB_{k.upper()}": v for k, v in names.items()})
    )
