"""CPU of the servers behind taskhub: the PostgreSQL backends serving the benchmark database,
the PostgreSQL server's own processes, and the run's private redis-server.

A backend lives as long as its connection, and a connection may be opened and closed within a
scenario (a pool's overflow), so a sampler thread reads every child of the postmaster every
``interval`` seconds and keeps, per pid, its CPU when first and last seen: a backend alive at the
start counts from its CPU then, one born later counts whole (its start-up included), and one
that exits loses what it spent after its last sample (at most ``interval``). Backends are
recognised by their process title (``postgres: … <user> <database> <host> …``), as are
autovacuum workers on the database; the server's own processes (checkpointer, walwriter,
background writer, launchers) serve every database of the shared server and are counted apart.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import psutil
import psycopg2

from benchmarks.deployment import POSTGRES, Deployment
from benchmarks.resources import cpu_seconds


@dataclass
class _Seen:
    kind: str  # "database" (ours), "server" (the server's own) or "other" (another database)
    first: float
    last: float


@dataclass
class ServerCpu:
    """CPU seconds of PostgreSQL and Redis while the ``with`` block runs."""

    deployment: Deployment
    interval: float = 0.1
    seconds: dict[str, float] = field(default_factory=dict)
    backends_started: int = 0
    _seen: dict[int, _Seen] = field(default_factory=dict)
    _processes: dict[int, psutil.Process] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> ServerCpu:
        self._postmaster = psutil.Process(postmaster_pid())
        self._redis_before = cpu_seconds({"redis": self.deployment.pids("redis")})
        self._sample(born_before=True)
        self._thread = threading.Thread(target=self._run, name="server-cpu", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample(born_before=False)
        redis = cpu_seconds({"redis": self.deployment.pids("redis")}) - self._redis_before
        totals = {"postgres": 0.0, "postgres_server": 0.0, "redis": redis}
        for seen in self._seen.values():
            if seen.kind != "other":
                key = "postgres" if seen.kind == "database" else "postgres_server"
                totals[key] += seen.last - seen.first
        self.seconds = totals

    def per_task_ms(self, prefix: str, tasks: int) -> dict[str, float]:
        """``<prefix>postgres_cpu_ms_per_task`` and the like, over ``tasks``."""
        figures = {
            f"{prefix}{name}_cpu_ms_per_task": 1000 * spent / max(tasks, 1)
            for name, spent in self.seconds.items()
        }
        return figures | {f"{prefix}postgres_backends_started": float(self.backends_started)}

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample(born_before=False)

    def _sample(self, born_before: bool) -> None:
        for pid in _children(self._postmaster.pid):
            try:
                process = self._processes.get(pid) or psutil.Process(pid)
                times = process.cpu_times()
                spent = times.user + times.system
                if pid not in self._seen:
                    title = " ".join(process.cmdline())
                    if not title.startswith("postgres:"):
                        continue  # just forked: named once it has read its start-up packet
                    kind = _kind(title, self.deployment.database)
                    self._processes[pid] = process
                    self._seen[pid] = _Seen(kind, spent if born_before else 0.0, spent)
                    self.backends_started += (not born_before) and kind == "database"
                self._seen[pid].last = spent
            except psutil.NoSuchProcess:
                self._processes.pop(pid, None)


def _kind(title: str, database: str) -> str:
    words = title.split()
    if database in words:
        return "database"
    server = ("checkpointer", "walwriter", "writer", "launcher", "archiver", "collector")
    return "server" if words and words[-1] in server else "other"


def _children(pid: int) -> list[int]:
    """The postmaster's children: from /proc's list when the kernel keeps one, else psutil's."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listed:
            return [int(child) for child in listed.read().split()]
    except OSError:
        return [child.pid for child in psutil.Process(pid).children()]


def postmaster_pid() -> int:
    """The postmaster of the local PostgreSQL: the parent of a backend of ours."""
    connection = psycopg2.connect(f"{POSTGRES}/postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = int(cursor.fetchone()[0])
        return int(psutil.Process(backend).ppid())
    finally:
        connection.close()
