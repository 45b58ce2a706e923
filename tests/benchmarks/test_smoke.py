"""The benchmark's one command, run with tiny sizes so that it cannot rot: it runs every
scenario, leaves nothing behind and counts no error. How fast is never asserted here."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from tests.processes import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

# One figure each scenario always reports.
FIGURES = {
    "floor": "floor_accept_per_s",
    "baseline": "baseline_results_per_s",
    "accept": "accept_per_s",
    "e2e": "e2e_tasks_per_s",
    "latency": "latency_server_p50_ms",
    "status": "status_304_per_s",
    "memory": "total_rss_mb",
    "scale": "scale_tasks_deep_ratio",
    "soak": "soak_drain_s",
    "servers": "stack_cpu_ms_per_task",
    "dbwork": "dbwork_commits_per_task",
}


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], str]:
    """The exit status, the JSON report and the output of ``python -m benchmarks run --smoke``."""
    out = tmp_path_factory.mktemp("bench") / "smoke.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKHUB_")}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "run", "--smoke", "--json", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=200,
    )
    report = json.loads(out.read_text()) if out.exists() else {}
    return done.returncode, report, done.stdout + done.stderr


Run = tuple[int, dict[str, Any], str]


def test_it_exits_0_with_every_scenario_and_no_error(
    smoke_run: tuple[int, dict[str, Any], str],
) -> None:
    status, report, output = smoke_run
    assert status == 0, output
    (figures,) = report["rounds"]
    assert {s: name for s, name in FIGURES.items() if name not in figures} == {}
    assert report["errors"], "the report counts errors"
    assert not any(report["errors"].values()), report["errors"]
    assert {"cpu", "cores", "postgresql", "redis"} <= set(report["machine"])
    assert "load_average" in report["load_before"]


def test_the_soak_mixes_every_kind_and_every_task_it_submitted_ended_done(smoke_run: Run) -> None:
    _, report, _ = smoke_run
    (figures,) = report["rounds"]
    sent = {kind: figures[f"soak_{kind}_per_s"] for kind in ("create", "status", "task_list")}
    assert all(sent.values()), sent
    assert figures["soak_tasks_accepted"] > 0
    assert figures["soak_tasks_done"] == figures["soak_tasks_accepted"]
    assert [name for name in figures if name.startswith("soak_error ")] == []


def test_it_counts_the_cpu_of_the_postgresql_backends_and_of_redis(smoke_run: Run) -> None:
    _, report, _ = smoke_run
    (figures,) = report["rounds"]
    assert figures["postgres_cpu_ms_per_task"] > 0, "the database's backends did the store's work"
    assert "redis_cpu_ms_per_task" in figures


def test_dbwork_counts_each_create_s_rows_and_statements(smoke_run: Run) -> None:
    _, report, _ = smoke_run
    (figures,) = report["rounds"]
    assert figures["dbwork_users_n_tup_ins_per_task"] == 1.0, "one user row per create"
    assert figures["dbwork_tasks_n_tup_ins_per_task"] == 1.0, "one task row per create"
    assert figures["dbwork_commits_per_task"] >= 1
    assert figures["dbwork_wal_server_bytes_per_task"] > 0


def test_it_stops_every_process_it_started(smoke_run: Run) -> None:
    _, report, _ = smoke_run
    started = report["processes"]
    assert {p["role"] for p in started} == {"redis", "web", "worker", "relay", "floor", "baseline"}
    for process in started:
        with pytest.raises(ProcessLookupError):
            os.killpg(process["pid"], 0)  # neither the process nor any of its group is left
        if process["port"]:
            with socket.socket() as probe:
                assert probe.connect_ex(("127.0.0.1", process["port"])) != 0, process


def test_it_drops_its_database(smoke_run: Run) -> None:
    _, report, _ = smoke_run
    connection = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_database WHERE datname = %s", (report["database"],)
            )
            assert cursor.fetchone() == (0,)
    finally:
        connection.close()


def test_it_left_no_working_directory(smoke_run: Run) -> None:
    _, report, _ = smoke_run
    assert not any(Path(p["log"]).exists() for p in report["processes"])
