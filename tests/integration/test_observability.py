"""Metrics and logs of a deployment's real processes: a Celery worker serves the sum of its pool
processes' figures on its port; a request's id goes from the web process's lines to the relay's
and the worker's; and no line of any of them tells a personal field."""

from __future__ import annotations

import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from taskhub.testing import user_fields
from tests.e2e.server import Server, gunicorn_command
from tests.integration.conftest import hub_for
from tests.logs import Line, events, lines_of, personal_values
from tests.processes import RedisServer, Worker, eventually, free_port
from tests.stack import stack_env

TASK = {"task_name": "create_user", "operation": "CREATE"}
BATCH, MAX_BATCHES = 8, 10
TASKHUB = [sys.executable, "-m", "taskhub.entrypoints.cli"]
CELERY = [sys.executable, "-m", "celery", "-A", "taskhub.entrypoints.worker", "worker"]
COMMANDS = {"taskhub worker": None, "celery -A": CELERY}
RETRY_ID = {"X-Request-ID": "trace-44"}


@pytest.fixture
def stack(database_url: str, private_redis: RedisServer) -> dict[str, str]:
    """A deployment's settings on this test's database and Redis, logging JSON."""
    env = stack_env(database_url, private_redis.url)
    return {**env, "TASKHUB_LOG_FORMAT": "json", "TASKHUB_METRICS_ADDRESS": "127.0.0.1"}


def metric(port: int, name: str, **labels: str) -> float:
    """One sample of the metrics served on ``port`` (0 when it has none)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as page:
        text = page.read().decode()
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    return 0.0


def runs_on_both_children(env: dict[str, str], worker: Worker) -> int:
    """Creates, a batch at a time, until both pool processes have finished some (their lines
    say which process did); how many ran."""
    ran = 0
    with hub_for(env) as hub:
        for _ in range(MAX_BATCHES):
            tasks = [hub.users.create(**user_fields()) for _ in range(BATCH)]
            assert {hub.tasks.wait(task.id, 30).status for task in tasks} == {"DONE"}
            ran += BATCH
            if len({line["process"] for line in events(lines_of(worker.log), "task.done")}) == 2:
                return ran
    raise AssertionError(f"one pool process ran all {ran} tasks")


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_worker_serves_the_sum_of_its_pool_processes_on_its_port(
    stack: dict[str, str], start_worker: Callable[..., Worker], command: list[str] | None
) -> None:
    port = free_port()
    env = {**stack, "TASKHUB_WORKER_METRICS_PORT": str(port)}
    worker = start_worker(env, "--concurrency=2", "--loglevel=INFO", command=command)
    ran = runs_on_both_children(env, worker)
    done = {**TASK, "status": "DONE"}
    eventually(
        lambda: metric(port, "taskhub_tasks_finished_total", **done, code="") == ran,
        30, f"the worker's port to count {ran} tasks done",
    )  # fmt: skip
    assert metric(port, "taskhub_tasks_started_total", **TASK) == ran
    assert metric(port, "taskhub_task_run_duration_seconds_count", **done) == ran
    assert len(events(lines_of(worker.log), "task.done")) == ran


def relay_process(env: dict[str, str], log: Path) -> Worker:
    """``taskhub relay`` in its own process group (stopped with SIGTERM, like a worker)."""
    return Worker(env, log, command=[*TASKHUB, "relay"])


def no_personal_field(fields: dict[str, str], *logs: Path) -> list[str]:
    """The personal values some line of ``logs`` shows (none, if all is well)."""
    text = "".join(log.read_text(errors="replace") for log in logs)
    return [value for value in personal_values(fields) if value in text]


def test_a_request_id_goes_from_the_web_to_the_relay_and_the_worker(
    stack: dict[str, str], start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    relay_port, logs = free_port(), {name: tmp_path / f"{name}.log" for name in ("web", "relay")}
    env = {**stack, "TASKHUB_RELAY_INTERVAL_SECONDS": "0.2"}
    web = Server(env, logs["web"], gunicorn_command)
    relay = relay_process({**env, "TASKHUB_RELAY_METRICS_PORT": str(relay_port)}, logs["relay"])
    fields = user_fields(first_name="Grace", last_name="Hopper")
    try:
        answer = web.request("POST", "/api/users/", fields, {"X-Request-ID": "trace-42"})
        assert (answer.status, answer.headers["X-Request-ID"]) == (202, "trace-42")
        ours: Line = {"task_id": answer.body["task_id"], "request_id": "trace-42"}
        # No worker yet: the relay hands the task on again, and shows it waiting.
        eventually(lambda: events(lines_of(logs["relay"]), "task.redispatched", **ours), 30,
                   "the relay's line of its redispatch")  # fmt: skip
        assert metric(relay_port, "taskhub_relay_redispatches_total", **TASK) >= 1
        assert metric(relay_port, "taskhub_tasks_pending") == 1
        # Another, cancelled while it waits, then retried: the retry keeps the retry's id.
        other = web.request("POST", "/api/users/", user_fields(), {"X-Request-ID": "trace-43"})
        other_id = other.body["task_id"]
        gone = web.request("POST", f"/api/tasks/{other_id}/cancel/")
        assert (gone.status, gone.body["status"]) == (200, "CANCELLED")
        again = web.request("POST", f"/api/tasks/{other_id}/retry/", None, RETRY_ID)
        assert again.status == 202
        retried: Line = {"task_id": again.body["task_id"], "request_id": "trace-44"}
        worker = start_worker(env, "--concurrency=1")
        for task_id in (ours["task_id"], retried["task_id"]):
            status = f"/api/tasks/{task_id}/status/"
            answer = web.request("GET", status, headers={"Prefer": "wait=20"})
            assert answer.body["status"] == "DONE"
        eventually(lambda: events(lines_of(worker.log), "task.done", **ours), 30, "its done line")
        eventually(lambda: events(lines_of(worker.log), "task.done", **retried), 30, "the retry's")
        eventually(lambda: metric(relay_port, "taskhub_tasks_pending") == 0, 30, "no backlog")
    finally:
        web.stop()
        relay.stop()
    assert events(lines_of(worker.log), "task.started", **ours)
    assert events(lines_of(logs["web"]), "task.submitted", **ours)
    assert events(lines_of(logs["web"]), "task.submitted", **retried)
    (cancelled,) = events(lines_of(logs["web"]), "task.cancelled", task_id=other_id)
    assert (cancelled["request_id"], cancelled["code"]) == ("trace-43", "cancelled")
    assert "duration_ms" not in cancelled
    assert events(lines_of(logs["web"]), "http.request", route="/api/users/", request_id="trace-42")
    assert no_personal_field(fields, logs["web"], logs["relay"], worker.log) == []
