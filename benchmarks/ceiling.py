"""What this machine's PostgreSQL sustains, for docs/scaling.md: ``python -m benchmarks.ceiling``.

pgbench on a throwaway database (``pgbench -i -s 10``), then its ``simple-update`` script
(``-N``: per transaction one UPDATE, one SELECT and one INSERT, then COMMIT: close to the writes
of a task) from ``--clients`` connections for ``--seconds``; it prints the commits per second and
the WAL bytes per second and per commit (server-wide: the server is shared, say how quiet it was).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from typing import Any

import psycopg2

from benchmarks.deployment import POSTGRES, throwaway_database


def main(argv: list[str] | None = None) -> int:
    parsing = argparse.ArgumentParser(prog="python -m benchmarks.ceiling")
    parsing.add_argument("--clients", type=int, default=8)
    parsing.add_argument("--seconds", type=int, default=20)
    options = parsing.parse_args(argv)
    with throwaway_database() as (_name, url):
        subprocess.run(["pgbench", "-q", "-i", "-s", "10", url], check=True, capture_output=True)
        before, began = _lsn(), time.monotonic()
        ran = subprocess.run(
            [
                "pgbench",
                "-N",
                "-c",
                str(options.clients),
                "-j",
                "2",
                "-T",
                str(options.seconds),
                url,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        seconds, wal = time.monotonic() - began, _lsn_diff(_lsn(), before)
    found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", ran.stdout)
    tps = float(found.group(1)) if found else 0.0
    print(
        json.dumps(
            {
                "commits_per_s": tps,
                "wal_mb_per_s": wal / seconds / 2**20,
                "wal_bytes_per_commit": wal / max(tps * seconds, 1),
                "clients": options.clients,
                "seconds": options.seconds,
            },
            indent=2,
        )
    )
    return 0


def _lsn() -> str:
    return str(_query("SELECT pg_current_wal_lsn()"))


def _lsn_diff(after: str, before: str) -> float:
    return float(_query(f"SELECT pg_wal_lsn_diff('{after}', '{before}')"))


def _query(statement: str) -> Any:
    connection = psycopg2.connect(f"{POSTGRES}/postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchone()[0]
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(main())
