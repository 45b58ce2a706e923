"""gunicorn as the README starts it, with two workers: /metrics is the sum of both, whichever
answers, and stays so when a worker dies; every line either writes is JSON when asked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from pathlib import Path
from uuid import uuid4

from prometheus_client.parser import text_string_to_metric_families

from taskhub.testing import user_fields
from tests.e2e.server import Server, gunicorn_command
from tests.logs import events, lines_of
from tests.processes import ROOT, eventually, free_port

MISSING = "/api/tasks/<uuid:task_id>/"  # a route only this test asks, for an id that is no task
BURST, MAX_BURSTS, CREATES = 8, 50, 6


def scrape(server: Server) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    page = server.request_text("/metrics")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(page)
        for s in family.samples
    }


def figures(server: Server) -> tuple[float, float, float]:
    """(404s for MISSING, create_user tasks finished DONE, their run durations observed)."""
    samples = scrape(server)

    def value(name: str, **labels: str) -> float:
        return samples.get((name, frozenset(labels.items())), 0.0)

    task = {"task_name": "create_user", "operation": "CREATE", "status": "DONE"}
    return (
        value("taskhub_http_requests_total", method="GET", route=MISSING, status="404"),
        value("taskhub_tasks_finished_total", **task, code=""),
        value("taskhub_task_run_duration_seconds_count", **task),
    )


def burst(server: Server) -> list[int]:
    """``BURST`` GETs at once, each for a task that does not exist: their statuses."""
    statuses: list[int] = []

    def ask() -> None:
        statuses.append(server.request("GET", f"/api/tasks/{uuid4()}/").status)

    threads = [threading.Thread(target=ask) for _ in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def ask_missing_tasks(server: Server, log: Path) -> tuple[int, set[int]]:
    """Bursts of requests until both workers have answered some (their log lines say which
    process did); how many were answered, and by which processes."""
    answered = 0
    for _ in range(MAX_BURSTS):
        assert burst(server) == [404] * BURST
        answered += BURST
        workers = {line["process"] for line in events(lines_of(log), "http.request", route=MISSING)}
        if len(workers) == 2:
            return answered, workers
    raise AssertionError(f"one gunicorn worker answered all {answered} requests")


def replaced(log: Path, workers: set[int]) -> bool:
    """Whether a worker other than ``workers`` is ready (a SIGTERM before that would be lost:
    gunicorn's worker ignores signals until it has set its handlers)."""
    ready = [line for line in lines_of(log) if line["message"].startswith("Worker ready")]
    return any(line["process"] not in workers for line in ready)


def test_metrics_are_the_sum_of_every_gunicorn_worker(tmp_path: Path) -> None:
    temporary, log = tmp_path / "tmp", tmp_path / "gunicorn.log"
    temporary.mkdir()
    env = {
        "TASKHUB_DATA_DIR": str(tmp_path / "data"),
        "TASKHUB_LOG_FORMAT": "json",
        "TMPDIR": str(temporary),  # where the workers' shared directory is made
    }
    server = Server(env, log, gunicorn_command)
    try:
        asked, workers = ask_missing_tasks(server, log)
        created = [
            server.request("POST", "/api/users/", user_fields(), {"Prefer": "wait=10"})
            for _ in range(CREATES)
        ]
        assert [reply.body["status"] for reply in created] == ["DONE"] * CREATES
        for _ in range(4):  # whichever worker answers the scrape
            assert figures(server) == (asked, CREATES, CREATES)
        os.kill(min(workers), signal.SIGKILL)  # gunicorn starts another in its place
        eventually(lambda: replaced(log, workers), 30, "a worker in place of the killed one")
        assert figures(server) == (asked, CREATES, CREATES)  # the dead worker's counts stay
    finally:
        assert server.stop() == 0
    assert all(json.loads(line) for line in log.read_text().splitlines() if line.strip())
    assert list(temporary.iterdir()) == []  # the shared directory was removed at exit


def test_gunicorn_refuses_a_wrong_setting_in_one_line_before_any_worker_starts() -> None:
    env = {**os.environ, "TASKHUB_LOG_FORMAT": "xml"}
    done = subprocess.run(
        gunicorn_command(free_port()), env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == "TASKHUB_LOG_FORMAT must be one of 'text' or 'json' (not 'xml').\n"
