"""A production-shaped deployment on the machine's services, and everything it starts.

A throwaway PostgreSQL database, a private redis-server on a free port, ``taskhub db upgrade``,
gunicorn with the README's command, ``taskhub worker`` and ``taskhub relay``; beside them the
floor (``floor_app`` under the same gunicorn flags) and the baseline's Celery worker. Each
process runs in a process group of its own and is stopped, with its children, by the code that
started it, also on an exception or Ctrl-C; the database is dropped at the end.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import psycopg2
import redis

from benchmarks import floor_app

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
STOP_SECONDS = 20.0


def readme_gunicorn() -> list[str]:
    """The production command the README documents (``gunicorn --bind …``), split."""
    found = re.search(r"^gunicorn --bind .*$", (ROOT / "README.md").read_text(), re.MULTILINE)
    if found is None:
        raise RuntimeError("the README shows no gunicorn --bind command")
    return shlex.split(found.group(0))


def gunicorn_command(port: int, workers: int, app: str | None = None) -> list[str]:
    """The README's gunicorn command on ``port`` with ``workers``; with ``app``, serving that
    app instead, without taskhub's ``--config`` hooks (same flags otherwise)."""
    argv = readme_gunicorn()
    argv = [a.replace(":8000", f":{port}") for a in argv]
    argv[argv.index("--workers") + 1] = str(workers)
    if app is not None:
        at = argv.index("--config")
        del argv[at : at + 2]
        argv[-1] = app
    return [str(BIN / argv[0]), *argv[1:]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def eventually(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``check`` until it returns something truthy; raise naming ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)
    return result


@dataclass
class Started:
    """One process this run started: its role, pid (also its process group) and port."""

    role: str
    pid: int
    port: int | None
    argv: list[str]
    log: str


@dataclass
class Processes:
    """Every process of the run, each the leader of its own process group."""

    logs: Path
    started: list[Started] = field(default_factory=list)
    _popens: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(
        self, role: str, argv: list[str], env: Mapping[str, str], cwd: Path, port: int | None = None
    ) -> subprocess.Popen[bytes]:
        log = self.logs / f"{role}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                argv,
                env=dict(env),
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._popens.append(process)
        self.started.append(Started(role, process.pid, port, argv, str(log)))
        return process

    def alive(self) -> bool:
        """True, or raise if a long-lived process has exited, with the end of its log."""
        for process, started in zip(self._popens, self.started, strict=True):
            if process.poll() is not None:
                tail = Path(started.log).read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{started.role} exited with {process.returncode}:\n{tail}")
        return True

    def stop_all(self) -> None:
        """SIGTERM each group, newest first; SIGKILL what is left after ``STOP_SECONDS``."""
        while self._popens:
            stop_group(self._popens.pop())


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop ``process`` and every process of its group, gracefully if it can."""
    _signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        _signal_group(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)
    deadline = time.monotonic() + STOP_SECONDS
    while group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    _signal_group(process.pid, signal.SIGKILL)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pgid: int, signum: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pgid, signum)


@contextmanager
def throwaway_database(server: str = POSTGRES) -> Iterator[tuple[str, str]]:
    """A new empty database on ``server``: its name and URL; dropped at the end."""
    name = f"taskhub_bench_{uuid.uuid4().hex[:10]}"
    _admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield name, f"{server}/{name}"
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(server: str, statement: str) -> None:
    connection = psycopg2.connect(f"{server}/postgres")
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.HTTPError):
        return False


@dataclass
class Deployment:
    """What a run measures: the URLs of taskhub's web and the floor, the store, the Redis."""

    database: str
    database_url: str
    redis_port: int
    web_url: str
    floor_url: str
    processes: Processes

    def redis(self, db: int) -> redis.Redis:
        return redis.Redis(port=self.redis_port, db=db)

    def redis_url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/{db}"

    def pids(self, role: str) -> list[int]:
        return [s.pid for s in self.processes.started if s.role == role]


BROKER_DB, FLOOR_DB, BASELINE_BROKER_DB, BASELINE_RESULTS_DB = 0, 1, 2, 3


def _clean_env(workdir: Path) -> dict[str, str]:
    """This environment without any ``TASKHUB_`` or ``BENCH_`` setting of the shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TASKHUB_", "BENCH_"))}
    env["PYTHONPATH"] = str(ROOT)
    env["TASKHUB_DATA_DIR"] = str(workdir / "data")
    return env


@contextmanager
def deployment(
    workdir: Path, workers: int, concurrency: int, worker_processes: int = 1
) -> Iterator[Deployment]:
    """Start everything (``worker_processes`` taskhub workers, each of pool ``concurrency``),
    wait until it serves, yield it; stop it all and drop the database."""
    with ExitStack() as stack:
        name, url = stack.enter_context(throwaway_database())
        processes = Processes(workdir)
        stack.callback(processes.stop_all)  # before the database is dropped
        redis_port = _start_redis(processes, workdir)
        web_port = _start_taskhub(
            processes, workdir, url, redis_port, workers, (concurrency, worker_processes)
        )
        floor_port = _start_yardsticks(processes, workdir, url, redis_port, workers, concurrency)
        web_url, floor_url = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{floor_port}"
        for what, ready in (("web", f"{web_url}/readyz"), ("floor", f"{floor_url}/healthz")):
            eventually(partial(_serving, processes, ready), 60, what)
        yield Deployment(name, url, redis_port, web_url, floor_url, processes)


def _start_redis(processes: Processes, workdir: Path) -> int:
    """A private redis-server on a free port, without persistence: its port."""
    port = free_port()
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    argv += ["--appendonly", "no", "--dir", str(workdir)]
    processes.start("redis", argv, _clean_env(workdir), workdir, port)
    client = redis.Redis(port=port, socket_connect_timeout=0.5)
    eventually(lambda: _pings(client), 10, f"redis-server on port {port}")
    return port


def _start_taskhub(
    processes: Processes,
    workdir: Path,
    url: str,
    redis_port: int,
    workers: int,
    pools: tuple[int, int],
) -> int:
    """``taskhub db upgrade``, then the web (the README's gunicorn), worker and relay: the
    web's port. Every setting but the store, the bus and the broker is taskhub's default."""
    env = _clean_env(workdir) | {
        "TASKHUB_DATABASE_URL": url,
        "TASKHUB_BUS": "celery",
        "TASKHUB_BROKER_URL": f"redis://127.0.0.1:{redis_port}/{BROKER_DB}",
    }
    taskhub = str(BIN / "taskhub")
    upgrade = subprocess.run([taskhub, "db", "upgrade"], env=env, cwd=workdir, capture_output=True)
    if upgrade.returncode != 0:
        raise RuntimeError(f"taskhub db upgrade failed: {upgrade.stderr.decode()[-2000:]}")
    port = free_port()
    processes.start("web", gunicorn_command(port, workers), env, workdir, port)
    concurrency, count = pools  # each worker's pool size, how many workers
    for _ in range(count):
        processes.start(
            "worker", [taskhub, "worker", "--concurrency", str(concurrency)], env, workdir
        )
    processes.start("relay", [taskhub, "relay"], env, workdir)
    return port


def _start_yardsticks(
    processes: Processes, workdir: Path, url: str, redis_port: int, workers: int, concurrency: int
) -> int:
    """The floor's gunicorn (its scratch table made first) and the baseline's Celery worker,
    at taskhub's log level (INFO): the floor's port."""
    _admin_on(url, floor_app.CREATE_TABLE)
    floor_env = _clean_env(workdir) | {
        "BENCH_DATABASE_URL": url,
        "BENCH_REDIS_URL": f"redis://127.0.0.1:{redis_port}/{FLOOR_DB}",
    }
    port = free_port()
    floor = gunicorn_command(port, workers, "benchmarks.floor_app:create_app()")
    processes.start("floor", floor, floor_env, ROOT, port)
    baseline_env = _clean_env(workdir) | {
        "BENCH_BROKER_URL": f"redis://127.0.0.1:{redis_port}/{BASELINE_BROKER_DB}",
        "BENCH_BACKEND_URL": f"redis://127.0.0.1:{redis_port}/{BASELINE_RESULTS_DB}",
    }
    celery = [str(BIN / "celery"), "-A", "benchmarks.baseline_worker", "worker"]
    celery += [f"--concurrency={concurrency}", "--pool=prefork", "--queues=bench_baseline"]
    celery += ["--loglevel=INFO", "--without-gossip", "--without-mingle"]
    processes.start("baseline", celery, baseline_env, ROOT)
    return port


def _serving(processes: Processes, url: str) -> bool:
    return processes.alive() and http_ok(url)


def _admin_on(url: str, statement: str) -> None:
    connection = psycopg2.connect(url)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
