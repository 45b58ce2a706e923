"""The report: each figure's median and range over the rounds, its ratio to its yardstick
(taken round by round, side by side), the issue's target and whether it is met; and the
machine the run was on."""

from __future__ import annotations

import getpass
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import psutil

from benchmarks.dbwork import STATEMENT_KINDS
from benchmarks.soak import EXPECT


@dataclass(frozen=True)
class Row:
    scenario: str
    figure: str
    unit: str
    yardstick: str | None = None  # the figure of the same round it is divided by
    target: str | None = None  # e.g. ">= 0.75" (of the ratio when there is a yardstick)


SOAK_KINDS = EXPECT  # the soak's kinds of request, in the table's order

ROWS = [
    Row("floor", "floor_accept_per_s", "req/s"),
    Row("floor", "floor_accept_p99_ms", "ms"),
    Row("floor", "floor_status_per_s", "req/s"),
    Row("floor", "floor_status_p99_ms", "ms"),
    Row("floor", "floor_cpu_ms_per_request", "ms CPU"),
    Row("floor", "floor_status_cpu_ms", "ms CPU"),
    Row("baseline", "baseline_results_per_s", "tasks/s"),
    Row("baseline", "baseline_noresults_per_s", "tasks/s"),
    Row("baseline", "baseline_roundtrip_p50_ms", "ms"),
    Row("baseline", "baseline_roundtrip_p99_ms", "ms"),
    Row("accept", "accept_per_s", "req/s", "floor_accept_per_s", ">= 0.75"),
    Row("accept", "accept_p50_ms", "ms"),
    Row("accept", "accept_p99_ms", "ms", None, "<= 25"),
    Row("accept", "web_cpu_ms_per_task", "ms CPU", "floor_cpu_ms_per_request"),
    Row("e2e", "e2e_tasks_per_s", "tasks/s", "baseline_results_per_s", ">= 0.75"),
    Row("e2e", "e2e_p50_ms", "ms"),
    Row("e2e", "cpu_ms_per_task", "ms CPU"),
    Row("e2e", "worker_cpu_ms_per_task", "ms CPU"),
    Row("e2e", "relay_cpu_ms_per_task", "ms CPU"),
    Row("e2e", "postgres_cpu_ms_per_task", "ms CPU"),
    Row("e2e", "postgres_server_cpu_ms_per_task", "ms CPU"),
    Row("e2e", "redis_cpu_ms_per_task", "ms CPU"),
    Row("e2e", "stack_cpu_ms_per_task", "ms CPU"),
    Row("e2e", "postgres_backends_started", "connections"),
    Row("latency", "latency_server_p50_ms", "ms", "baseline_roundtrip_p50_ms", "<= 2"),
    Row("latency", "latency_server_p99_ms", "ms"),
    Row("latency", "latency_client_p50_ms", "ms"),
    Row("status", "status_per_s", "req/s", "floor_status_per_s", ">= 0.6"),
    Row("status", "status_p99_ms", "ms"),
    Row("status", "status_304_per_s", "req/s", "floor_status_per_s"),
    Row("status", "status_304_p99_ms", "ms"),
    Row("status", "status_web_cpu_ms", "ms CPU", "floor_status_cpu_ms"),
    Row("status", "status_304_web_cpu_ms", "ms CPU", "floor_status_cpu_ms"),
    *(
        Row("soak", f"soak_{kind}_{figure}", unit)
        for kind in SOAK_KINDS
        for figure, unit in (("per_s", "req/s"), ("p50_ms", "ms"), ("p99_ms", "ms"))
    ),
    Row("soak", "soak_requests_per_s", "req/s"),
    Row("soak", "soak_p50_ms", "ms"),
    Row("soak", "soak_p99_ms", "ms"),
    Row("soak", "soak_errors", "errors", None, "<= 0"),
    Row("soak", "soak_tasks_accepted", "tasks"),
    Row("soak", "soak_tasks_done", "tasks"),
    Row("soak", "soak_tasks_not_done", "tasks", None, "<= 0"),
    Row("soak", "soak_tasks_lost", "tasks", None, "<= 0"),
    Row("soak", "soak_backlog_at_stop", "tasks"),
    Row("soak", "soak_drain_s", "s", None, "<= 60"),
    Row("soak", "soak_cpu_ms_per_task", "ms CPU"),
    Row("soak", "soak_postgres_cpu_ms_per_task", "ms CPU"),
    Row("soak", "soak_redis_cpu_ms_per_task", "ms CPU"),
    Row("soak", "soak_start_total_rss_mb", "MB"),
    Row("soak", "soak_total_rss_mb", "MB", None, "<= 300"),
    Row("dbwork", "dbwork_tasks_per_s", "tasks/s"),
    *(
        Row("dbwork", f"dbwork_{figure}_per_task", "per task")
        for figure in (
            "statements",
            *(f"statements_{kind}" for kind in (*STATEMENT_KINDS, "other")),
            "commits",
            "rollbacks",
            "rows_inserted",
            "rows_updated",
            "rows_deleted",
            "rows_written",
            "tasks_n_tup_ins",
            "tasks_n_tup_upd",
            "tasks_n_tup_hot_upd",
            "users_n_tup_ins",
            "wal_records",
            "wal_fpi",
        )
    ),
    Row("dbwork", "dbwork_wal_bytes_per_task", "bytes"),
    Row("dbwork", "dbwork_wal_server_bytes_per_task", "bytes"),
    Row("dbwork", "dbwork_other_commits", "commits"),
    Row("dbwork", "dbwork_other_databases_created_or_dropped", "databases"),
    Row("memory", "web_rss_mb", "MB"),
    Row("memory", "worker_rss_mb", "MB"),
    Row("memory", "relay_rss_mb", "MB"),
    Row("memory", "total_rss_mb", "MB", None, "<= 300"),
    Row("memory", "total_pss_mb", "MB"),
]
ERRORS = [
    "floor_accept_errors",
    "floor_status_errors",
    "accept_errors",
    "e2e_errors",
    "latency_errors",
    "status_errors",
    "status_304_errors",
    "soak_errors",
    "soak_tasks_not_done",
    "soak_tasks_lost",
    "soak_undrained",
    "dbwork_errors",
]
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda value, bound: value >= bound,
    "<=": lambda value, bound: value <= bound,
}


def summarise(rounds: list[dict[str, float]]) -> list[dict[str, Any]]:
    """One summary per row whose figure some round measured."""
    summary = []
    for row in ROWS + _scale_rows(rounds):
        values = [r[row.figure] for r in rounds if row.figure in r]
        if not values:
            continue
        entry: dict[str, Any] = {
            "scenario": row.scenario,
            "figure": row.figure,
            "unit": row.unit,
            "median": statistics.median(values),
            "min": min(values),
            "max": max(values),
            "rounds": values,
            "yardstick": row.yardstick,
            "target": row.target,
        }
        ratios = [
            r[row.figure] / r[row.yardstick]
            for r in rounds
            if row.yardstick and row.figure in r and r.get(row.yardstick)
        ]
        if ratios:
            entry |= {
                "ratio": statistics.median(ratios),
                "ratio_min": min(ratios),
                "ratio_max": max(ratios),
            }
        judged = entry.get("ratio") if row.yardstick else entry["median"]
        if row.target and judged is not None:
            operator, bound = row.target.split()
            entry["met"] = _COMPARE[operator](judged, float(bound))
        summary.append(entry)
    return summary


def _scale_rows(rounds: list[dict[str, float]]) -> list[Row]:
    """The scale scenario's figures, named by what they measure and at what size."""
    names = dict.fromkeys(name for r in rounds for name in r if name.startswith("scale_"))
    rows = []
    for name in names:
        if name.endswith("_ratio"):
            rows.append(Row("scale", name, "x", None, "<= 1.3"))
        else:
            rows.append(Row("scale", name, "s" if name.endswith("_s") else "ms"))
    return rows


def table(summary: list[dict[str, Any]]) -> str:
    """The summary as a Markdown table, as docs/benchmarks.md shows it."""
    lines = [
        "| scenario | figure | median | min-max | ratio (min-max) | target | met? |",
        "| --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for e in summary:
        ratio = ""
        if "ratio" in e:
            ratio = (
                f"{e['ratio']:.2f} ({e['ratio_min']:.2f}-{e['ratio_max']:.2f}) of {e['yardstick']}"
            )
        met = "" if "met" not in e else "yes" if e["met"] else "**no**"
        target = f"{e['target']}{'' if e['yardstick'] else ' ' + e['unit']}" if e["target"] else ""
        lines.append(
            f"| {e['scenario']} | {e['figure']} ({e['unit']}) | {_number(e['median'])} | "
            f"{_number(e['min'])}-{_number(e['max'])} | {ratio} | {target} | {met} |"
        )
    return "\n".join(lines)


def total_errors(rounds: list[dict[str, float]]) -> dict[str, float]:
    return {name: sum(r.get(name, 0.0) for r in rounds) for name in ERRORS}


def _number(value: float) -> str:
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:.{digits}f}"


def machine(database_version: str, redis_version: str) -> dict[str, Any]:
    """What the run was on, and what else was running beside it."""
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "postgresql": database_version,
        "redis": redis_version,
        "packages": {
            name: _version(name)
            for name in (
                "gunicorn",
                "flask",
                "flask-smorest",
                "celery",
                "kombu",
                "sqlalchemy",
                "psycopg2-binary",
                "aiohttp",
            )
        },
        "user": getpass.getuser(),
    }


def load_now() -> dict[str, Any]:
    """The load average and the test runs on the machine (other than this process's own)."""
    mine = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    others = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if "pytest" in cmdline and process.info["pid"] not in mine:
            others.append(cmdline[:120])
    return {"load_average": os.getloadavg(), "pytest_processes": others}


def _cpu_model() -> str:
    with suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def git_revision() -> str:
    found = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True
    )
    return found.stdout.strip()
