"""Throughput of submit + run per store, measured side by side in one process and one run.

    .venv/bin/python benchmarks/throughput.py [--tasks 500] [--rounds 3] [--postgres URL]

Each round creates ``--tasks`` users through the library on an inline bus (submit, claim, effect
and DONE: three units of work per task) on every store in turn, so every store sees the same
machine load; the report gives the median rate per store and its ratio to the in-memory store.
Absolute numbers depend on the machine; compare ratios from one run. No test asserts speed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import taskhub
from taskhub.adapters.sqlalchemy import migrate
from taskhub.adapters.sqlalchemy.engine import build_engine


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A throwaway database on ``server`` (a URL without database name), migrated to head."""
    name = f"taskhub_bench_{uuid.uuid4().hex[:8]}"
    admin = build_engine(f"{server}/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = build_engine(f"{server}/{name}")
    migrate.upgrade(engine)
    engine.dispose()
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def rate(database_url: str, tasks: int) -> float:
    """Tasks per second for ``tasks`` creates, each finished before the next is submitted."""
    with taskhub.connect(database_url=database_url, bus="inline") as hub:
        hub.users.list()  # warm up: connect, migrate, map
        started = time.perf_counter()
        for i in range(tasks):
            hub.users.create(username=f"u{uuid.uuid4().hex[:12]}", email=f"u{i}@example.com")
        return tasks / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    results: dict[str, list[float]] = {"memory": [], "sqlite": [], "postgresql": []}
    for _ in range(args.rounds):
        results["memory"].append(rate("memory://", args.tasks))
        with tempfile.TemporaryDirectory() as directory:
            results["sqlite"].append(rate(f"sqlite:///{directory}/bench.sqlite3", args.tasks))
        with postgres_database(args.postgres) as url:
            results["postgresql"].append(rate(url, args.tasks))
    baseline = statistics.median(results["memory"])
    print(f"{'store':<12}{'tasks/s (median)':>18}{'vs memory':>12}   rounds")
    for store, rates in results.items():
        median = statistics.median(rates)
        rounds = ", ".join(f"{r:.0f}" for r in rates)
        print(f"{store:<12}{median:>18.0f}{median / baseline:>12.2f}   {rounds}")


if __name__ == "__main__":
    main()
