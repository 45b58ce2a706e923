"""The dbwork scenario: what the database does for one task, from PostgreSQL's own counters.

The same creates as e2e (``--creates`` from ``--clients``, run until every task is final), with
the benchmark database's counters read before and after:

- commits, rollbacks and rows inserted, updated and deleted (``pg_stat_database``), per table
  with HOT updates (``pg_stat_user_tables``);
- statements, by kind: ``pg_stat_statements`` is not loaded on this server, so every session of
  the database logs its statements for the scenario (``ALTER DATABASE … SET log_statement =
  'all'``, then its idle backends are ended so the pools reconnect with it) and the server log's
  lines of this database are counted;
- WAL: ``pg_wal_lsn_diff`` of ``pg_current_wal_lsn()`` around the scenario is the whole server's
  (the machine's PostgreSQL is shared); ``pg_waldump`` over that range attributes each record
  to this database when it touches one of its relations or belongs to a transaction that did,
  so the figure holds on a busy server too. Full-page images (after a checkpoint) count in it.

Before the window and after it the database's backends are ended: each flushes its statistics
as it exits (an idle backend may hold them up to 10 s), so the counters read hold exactly the
window's work; the pools reconnect at once (``pool_pre_ping``), inside the window, as a
deployment's pools do after a restart of the database. The harness's own polls
of the tasks run on one connection opened before the window, without statement logging; its
commits (one per poll, autocommit) are subtracted. The relay's sweeps meanwhile are counted:
they are part of what the deployment costs.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import psycopg2

from benchmarks.deployment import POSTGRES
from benchmarks.floor_app import APPLICATION_NAME
from benchmarks.scenarios import FINAL, Context, Figures, submit_creates
from benchmarks.servers import postmaster_pid

DATABASE_COUNTERS = ("xact_commit", "xact_rollback", "tup_inserted", "tup_updated", "tup_deleted")
TABLE_COUNTERS = ("n_tup_ins", "n_tup_upd", "n_tup_hot_upd", "n_tup_del")
STATEMENT_KINDS = ("select", "insert", "update", "delete", "begin", "commit", "rollback", "ping")


@dataclass
class Snapshot:
    """The counters at one moment."""

    database: dict[str, int]
    others: dict[str, int]  # every other database's commits: how quiet the server was
    tables: dict[str, dict[str, int]]
    lsn: str
    log_size: int


def dbwork(context: Context) -> Figures:
    """Per completed create: commits, rows written, statements by kind, WAL bytes."""
    deployment, sizes = context.deployment, context.sizes
    server = Server.find(deployment.database)
    server.log_statements(True)
    try:
        _warm(context)  # the pools reconnect, and log from now on
        server.flush()  # the warm-up's statistics are not pending any more: not in the window
        poller = psycopg2.connect(deployment.database_url, options="-c log_statement=none")
        try:
            poller.autocommit = True
            before = server.snapshot(poller)
            reader = server.wal_reader(before.lsn)
            ids: list[str] = []
            submit_creates(deployment.web_url, "/api/users/", sizes, ids)
            rows, polls = _wait_final(poller, ids, sizes.time_limit)
        finally:
            poller.close()
    finally:
        server.log_statements(False)  # and every backend exits, flushing its statistics
    after = server.snapshot(None)
    if reader is not None:
        reader.finish(after.lsn)
    done = [(created, updated) for status, created, updated in rows if status == "DONE"]
    figures = _per_task(before, after, len(done), polls + 1) | server.statements(before, after)
    figures |= server.wal(before, after, reader)
    for name in [n for n in figures if n.endswith("_total")]:
        figures[name.removesuffix("_total") + "_per_task"] = figures[name] / max(len(done), 1)
    if done:
        span = (max(u for _, u in done) - min(c for c, _ in done)).total_seconds()
        figures["dbwork_tasks_per_s"] = len(done) / span if span else 0.0
    return figures | {
        "dbwork_tasks": float(len(done)),
        "dbwork_errors": float(len(ids) - len(done)),
    }


def _warm(context: Context) -> None:
    """Creates from every client until each has run: every process has used the store again."""
    accepted: list[str] = []
    sizes = context.sizes
    submit_creates(context.deployment.web_url, "/api/users/", sizes, accepted, 4 * sizes.clients)
    connection = psycopg2.connect(context.deployment.database_url, options="-c log_statement=none")
    connection.autocommit = True
    try:
        _wait_final(connection, accepted, context.sizes.time_limit)
    finally:
        connection.close()


def _wait_final(connection: Any, ids: list[str], timeout: float) -> tuple[list[Any], int]:
    """The tasks' (status, created_at, updated_at) once all are final, and how many polls
    (each its own transaction) it took."""
    deadline, polls = time.monotonic() + timeout, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT status, created_at, updated_at FROM tasks WHERE id = ANY(%s::uuid[])",
                (ids,),
            )
            rows = cursor.fetchall()
        polls += 1
        if all(status in FINAL for status, _, _ in rows) or time.monotonic() > deadline:
            return rows, polls
        time.sleep(0.1)


def _per_task(before: Snapshot, after: Snapshot, tasks: int, harness_commits: int) -> Figures:
    """The counters' differences; ``_total`` figures become ``_per_task`` ones later."""
    spent = {k: after.database[k] - before.database[k] for k in DATABASE_COUNTERS}
    spent["xact_commit"] -= harness_commits
    figures = {
        "dbwork_commits_total": float(spent["xact_commit"]),
        "dbwork_rollbacks_total": float(spent["xact_rollback"]),
        "dbwork_rows_inserted_total": float(spent["tup_inserted"]),
        "dbwork_rows_updated_total": float(spent["tup_updated"]),
        "dbwork_rows_deleted_total": float(spent["tup_deleted"]),
        "dbwork_rows_written_total": float(
            spent["tup_inserted"] + spent["tup_updated"] + spent["tup_deleted"]
        ),
    }
    for table, counters in after.tables.items():
        for counter in TABLE_COUNTERS:
            was = before.tables.get(table, {}).get(counter, 0)
            figures[f"dbwork_{table}_{counter}_total"] = float(counters[counter] - was)
    others = set(before.others) | set(after.others)
    changed = {name for name in others if (name in before.others) != (name in after.others)}
    other_commits = sum(
        after.others.get(name, 0) - before.others.get(name, 0) for name in others - changed
    )
    return figures | {
        "dbwork_other_commits": float(other_commits),
        "dbwork_other_databases_created_or_dropped": float(len(changed)),
    }


@dataclass
class Server:
    """The shared PostgreSQL server as the scenario reads it: counters, its log, its WAL."""

    database: str
    oid: int
    log: Path | None  # the server's stderr, when it is a file this process may read
    wal_dir: Path
    waldump: str | None

    @classmethod
    def find(cls, database: str) -> Server:
        with _admin() as cursor:
            cursor.execute("SELECT oid FROM pg_database WHERE datname = %s", (database,))
            oid = int(cursor.fetchone()[0])
            cursor.execute("SHOW data_directory")
            data = Path(cursor.fetchone()[0])
            cursor.execute("SHOW log_line_prefix")
            prefix = str(cursor.fetchone()[0])
        log = Path(os.readlink(f"/proc/{postmaster_pid()}/fd/2"))
        readable = log.is_file() and os.access(log, os.R_OK) and "%d" in prefix
        waldump = Path(psutil.Process(postmaster_pid()).exe()).with_name("pg_waldump")
        found = str(waldump) if os.access(waldump, os.X_OK) else None
        return cls(database, oid, log if readable else None, data / "pg_wal", found)

    def wal_reader(self, start: str) -> WalReader | None:
        return (
            None if self.waldump is None else WalReader(self.waldump, self.wal_dir, self.oid, start)
        )

    def log_statements(self, on: bool) -> None:
        """Set (or reset) the database's ``log_statement`` and end its backends (``flush``),
        so that the setting holds for every session from now on."""
        with _admin() as cursor:
            setting = "SET log_statement = 'all'" if on else "RESET log_statement"
            cursor.execute(f'ALTER DATABASE "{self.database}" {setting}')
        self.flush()

    def flush(self) -> None:
        """End every idle backend of the database until none older than now is left: each
        flushes its pending statistics as it exits, and the pools reconnect on next use. The
        floor's are left (it holds one connection per thread and never reconnects): it is idle
        while dbwork runs, so its statistics are flushed already."""
        with _admin() as cursor:
            cursor.execute("SELECT now()")
            since = cursor.fetchone()[0]
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT pid, state FROM pg_stat_activity WHERE datname = %s"
                    " AND backend_type = 'client backend' AND backend_start < %s"
                    " AND application_name <> %s",
                    (self.database, since, APPLICATION_NAME),
                )
                older = cursor.fetchall()
                if not older:
                    return
                for pid, state in older:
                    if state == "idle":
                        cursor.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
                time.sleep(0.1)
        raise RuntimeError(f"backends of {self.database} kept running past 30 s")

    def snapshot(self, connection: Any | None) -> Snapshot:
        """The counters now; per table through ``connection`` (or a new one) to the database."""
        with _admin() as cursor:
            cursor.execute(
                f"SELECT datname, {', '.join(DATABASE_COUNTERS)}, pg_current_wal_lsn()"
                " FROM pg_stat_database WHERE datname IS NOT NULL"
            )
            rows = cursor.fetchall()
        ours = next(row for row in rows if row[0] == self.database)
        database = dict(zip(DATABASE_COUNTERS, map(int, ours[1:-1]), strict=True))
        others = {row[0]: int(row[1]) for row in rows if row[0] != self.database}
        own = connection is None
        reader: Any = psycopg2.connect(f"{POSTGRES}/{self.database}") if own else connection
        try:
            with reader.cursor() as cursor:
                cursor.execute(
                    f"SELECT relname, {', '.join(TABLE_COUNTERS)} FROM pg_stat_user_tables"
                )
                tables = {
                    str(row[0]): dict(zip(TABLE_COUNTERS, map(int, row[1:]), strict=True))
                    for row in cursor.fetchall()
                }
        finally:
            if own:
                reader.close()
        size = self.log.stat().st_size if self.log else 0
        return Snapshot(database, others, tables, str(ours[-1]), size)

    def statements(self, before: Snapshot, after: Snapshot) -> Figures:
        """Statements the database's sessions logged between the snapshots, by kind."""
        if self.log is None:
            return {}
        pattern = re.compile(
            rf"\S*@{re.escape(self.database)} LOG:  (?:statement|execute [^:]*): (.*)"
        )
        kinds: Counter[str] = Counter()
        with self.log.open("rb") as log:
            log.seek(before.log_size)
            for line in log.read(max(after.log_size - before.log_size, 0)).splitlines():
                found = pattern.search(line.decode(errors="replace"))
                if found:
                    kinds[_statement_kind(found.group(1))] += 1
        figures = {f"dbwork_statements_{k}_total": float(kinds[k]) for k in STATEMENT_KINDS}
        figures["dbwork_statements_other_total"] = float(
            sum(n for k, n in kinds.items() if k not in STATEMENT_KINDS)
        )
        return figures | {"dbwork_statements_total": float(sum(kinds.values()))}

    def wal(self, before: Snapshot, after: Snapshot, reader: WalReader | None) -> Figures:
        """WAL bytes between the snapshots: the server's, and this database's (``reader``'s)."""
        with _admin() as cursor:
            cursor.execute("SELECT pg_wal_lsn_diff(%s, %s)", (after.lsn, before.lsn))
            server_bytes = float(cursor.fetchone()[0])
        figures = {"dbwork_wal_server_bytes_total": server_bytes}
        if reader is None or reader.failed:
            return figures
        return figures | {
            f"dbwork_wal_{name}_total": value for name, value in reader.totals.items()
        }


class WalReader:
    """This database's WAL records as they are written: ``pg_waldump`` every second from where
    it stopped, before a checkpoint (the shared server's, or another database's CREATE
    DATABASE) recycles the segments."""

    def __init__(self, waldump: str, wal_dir: Path, oid: int, start: str) -> None:
        self._argv = [waldump, "--path", str(wal_dir)]
        self._oid, self._next, self._last = oid, start, ""
        self._xids: set[str] = set()
        self.totals = {"bytes": 0.0, "records": 0.0, "fpi": 0.0, "other_bytes": 0.0}
        self.failed = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-reader", daemon=True)
        self._thread.start()

    def finish(self, end: str) -> None:
        """Read up to ``end`` and stop."""
        self._stop.set()
        self._thread.join()
        self._read(end)

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            with _admin() as cursor:
                cursor.execute("SELECT pg_current_wal_lsn()")
                self._read(str(cursor.fetchone()[0]))

    def _read(self, end: str) -> None:
        if self.failed or end == self._next:
            return
        dumped = subprocess.run(
            [*self._argv, "--start", self._next, "--end", end], capture_output=True, text=True
        )
        if dumped.returncode != 0 and "end of WAL" not in dumped.stderr:
            print(f"dbwork: pg_waldump failed: {dumped.stderr[-300:]}", flush=True)
            self.failed = True
            return
        for line in dumped.stdout.splitlines():
            found = RECORD.search(line)
            if not found or found.group(3) == self._last:
                continue  # the record it stopped at last time, read once already
            self._last = self._next = found.group(3)
            self._count(line, float(found.group(1)), found.group(2))

    def _count(self, line: str, size: float, xid: str) -> None:
        """A record is this database's when it touches one of its relations, or belongs to a
        transaction that did (its commit)."""
        databases = {int(d) for d in RELATION.findall(line)}
        if self._oid in databases or (xid != "0" and xid in self._xids):
            if xid != "0":
                self._xids.add(xid)
            self.totals["bytes"] += size
            self.totals["records"] += 1
            self.totals["fpi"] += line.count("FPW")
        elif databases:
            self.totals["other_bytes"] += size


RECORD = re.compile(r"len \(rec/tot\):\s*\d+/\s*(\d+), tx:\s*(\d+), lsn: ([0-9A-F]+/[0-9A-F]+)")
RELATION = re.compile(r"rel \d+/(\d+)/\d+")


def _statement_kind(text: str) -> str:
    words = text.split()
    if not words:
        return "other"
    if " ".join(words).upper() == "SELECT 1":
        return "ping"
    return words[0].lower().rstrip(";")


@contextmanager
def _admin() -> Iterator[Any]:
    """A cursor on the server's ``postgres`` database, autocommit (nothing in the benchmark's)."""
    connection = psycopg2.connect(f"{POSTGRES}/postgres")
    try:
        connection.autocommit = True
        yield connection.cursor()
    finally:
        connection.close()
