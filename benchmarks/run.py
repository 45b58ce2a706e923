"""One benchmark run: start the deployment, warm it up, run the chosen scenarios round after
round, stop everything, and write the report (a table on stdout, every figure in JSON)."""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg2

from benchmarks import report
from benchmarks.dbwork import dbwork
from benchmarks.deployment import Deployment, deployment
from benchmarks.load import Request, closed_loop
from benchmarks.resources import MemorySampler
from benchmarks.scale import scale
from benchmarks.scenarios import SCENARIOS, Context, Sizes, creates
from benchmarks.soak import soak

RUNNERS = SCENARIOS | {"soak": soak, "dbwork": dbwork}  # every scenario a round runs, by name

ORDER = ["floor", "baseline", "accept", "e2e", "latency", "status", "soak", "dbwork", "scale"]
SMOKE = {
    "creates": 20,
    "clients": 4,
    "latency_creates": 3,
    "rounds": 1,
    "scale_sizes": "200,500",
    "soak_seconds": 3.0,
}


def run(options: argparse.Namespace) -> int:
    """Run the benchmark as ``options`` say; 0 when no request or task went wrong."""
    signal.signal(signal.SIGTERM, _exit_on_signal)
    chosen = [name for name in ORDER if name in options.scenarios.split(",")]
    if unknown := set(options.scenarios.split(",")) - set(ORDER):
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))} (known: {ORDER})")
    sizes = Sizes(
        options.creates,
        options.clients,
        options.latency_creates,
        options.time_limit,
        options.soak_seconds,
        options.soak_rate,
    )
    workdir = Path(tempfile.mkdtemp(prefix="taskhub-bench-"))
    outcome: dict[str, Any] = {
        "revision": report.git_revision(),
        "options": vars(options),
        "scenarios": chosen,
        "load_before": report.load_now(),
        "rounds": [],
    }
    try:
        with deployment(
            workdir, options.web_workers, options.worker_concurrency, options.workers
        ) as deployed:
            outcome["database"] = deployed.database
            outcome["processes"] = [asdict(s) for s in deployed.processes.started]
            outcome["machine"] = report.machine(*_versions(deployed))
            context = Context(deployed, sizes)
            _warm_up(context)
            for number in range(options.rounds):
                print(f"round {number + 1} of {options.rounds}: {', '.join(chosen)}", flush=True)
                figures, by_process = _round(context, chosen)
                outcome["rounds"].append(figures)
                outcome["rss_mb_by_process"] = by_process
            if "scale" in chosen:
                print(f"scale: {options.scale_sizes} rows", flush=True)
                sizes_ = [int(size) for size in options.scale_sizes.split(",")]
                for figures, more in zip(
                    outcome["rounds"], scale(context, sizes_, options.rounds), strict=True
                ):
                    figures |= more
    finally:
        outcome["load_after"] = report.load_now()
        if not options.keep_logs:
            shutil.rmtree(workdir, ignore_errors=True)
    outcome["summary"] = report.summarise(outcome["rounds"])
    outcome["errors"] = report.total_errors(outcome["rounds"])
    if options.json:
        Path(options.json).write_text(json.dumps(outcome, indent=2, default=str))
    print(report.table(outcome["summary"]))
    print(f"errors: {outcome['errors']}")
    return 1 if any(outcome["errors"].values()) else 0


def _round(context: Context, chosen: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    """The figures of one round of the ``chosen`` scenarios, and each process's peak RSS."""
    figures: dict[str, float] = {}
    with MemorySampler(context.roles) as sampler:
        for name in chosen:
            if name == "scale":
                continue  # after the rounds: it grows the tables for good
            if name == "e2e" and "accept" in chosen:
                continue  # one create load gives both
            figures |= RUNNERS[name](context)
            context.deployment.processes.alive()
        sampler.sample()
    return figures | sampler.peaks, sampler.by_process


def _warm_up(context: Context) -> None:
    """Every web process and worker child has served before anything is timed; the worker
    runs tasks (a create finished DONE) and the floor answers."""
    warm = Context(
        context.deployment, Sizes(4 * context.sizes.clients, context.sizes.clients, 0, 120)
    )
    figures = creates(warm)
    if figures["accept_errors"] or figures["e2e_errors"]:
        raise RuntimeError(f"the warm-up's creates went wrong: {figures}")
    closed_loop(
        context.deployment.floor_url,
        lambda i: Request("POST", "/floor/", {"i": i}),
        warm.sizes.creates,
        warm.sizes.clients,
        60,
        frozenset({202}),
    )


def _versions(deployed: Deployment) -> tuple[str, str]:
    connection = psycopg2.connect(deployed.database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = str(cursor.fetchone()[0])
    finally:
        connection.close()
    server: dict[str, Any] = deployed.redis(0).info("server")  # type: ignore[assignment]
    return database, str(server["redis_version"])


def _exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    sys.exit(128 + signum)  # unwinds through every finally: the processes stop, the database goes
