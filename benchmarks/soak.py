"""The soak scenario: ``--soak-seconds`` of mixed load, then the backlog drained and counted.

Closed-loop clients (``--clients``; ``--soak-rate`` paces them to a total rate) each pick a kind
of request by ``MIX`` and send it. Each client polls what has been submitted the way a client
follows its task: the status of the oldest unfinished task in turn, with ``If-None-Match`` naming
the ETag of its previous answer once it has one (200 when it changed, else 304). A create whose
poll says ``DONE`` gives a user (its ``related_id``) that later requests patch and read; one in
``DOOMED`` is kept apart instead, to be deleted once and touched by nothing else, so no task may
fail for want of its user. When the load stops, the time until no task of the database is
unfinished is the drain; then every accepted submission must be a task in the database, ``DONE``.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import psycopg2

from benchmarks.load import LoadResult, Request, percentile, send
from benchmarks.resources import MemorySampler, cpu_seconds
from benchmarks.scenarios import FINAL, Context, Figures, _user
from benchmarks.servers import ServerCpu

# Of 100 requests: mostly reads, as a client of a task API polls what it submitted; creates
# outnumber deletes, so the users grow. A kind that cannot be sent yet (no user to patch, read
# or delete) sends a create instead.
MIX = {
    "create": 20,
    "patch": 8,
    "delete": 4,
    "get_user": 5,
    "list_users": 1,
    "poll": 54,  # sent as "status" (first poll of a task) or "status_etag" (with If-None-Match)
    "task_list": 8,
}
DOOMED = 4  # one created user in DOOMED is kept for a delete
EXPECT = {
    "create": frozenset({202}),
    "patch": frozenset({202}),
    "delete": frozenset({202}),
    "get_user": frozenset({202}),
    "list_users": frozenset({202}),
    "status": frozenset({200}),
    "status_etag": frozenset({200, 304}),
    "task_list": frozenset({200}),
}


@dataclass
class _Followed:
    task_id: str
    etag: str | None = None
    again: bool = False  # a finished task read once more, not followed to its end


@dataclass
class Mix:
    """What the clients know: the tasks to follow, the users made, each kind's answers."""

    rng: random.Random
    unfinished: deque[_Followed] = field(default_factory=deque)
    finished: deque[str] = field(default_factory=lambda: deque(maxlen=500))
    users: list[str] = field(default_factory=list)
    doomed: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    results: dict[str, LoadResult] = field(
        default_factory=lambda: {kind: LoadResult() for kind in EXPECT}
    )
    made = 0

    def next(self) -> tuple[str, Request, Any]:
        """The next request: its kind, itself, and what to do with its expected answer."""
        kind = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if kind == "poll":
            return self._poll()
        if kind == "task_list":
            query = self.rng.choice(["", "&status=DONE", "&operation=UPDATE"])
            return kind, Request("GET", f"/api/tasks/?page_size=20{query}"), None
        if kind == "list_users":
            return kind, Request("GET", "/api/users/?page_size=20"), self._submitted
        if kind == "delete" and self.doomed:
            user = self.doomed.pop(self.rng.randrange(len(self.doomed)))
            return kind, Request("DELETE", f"/api/users/{user}/"), self._submitted
        if kind == "patch" and self.users:
            body = {"last_name": f"Soak {self.rng.randrange(10**6)}"}
            return kind, Request("PATCH", self._user_path(), body), self._submitted
        if kind == "get_user" and self.users:
            return kind, Request("GET", self._user_path()), self._submitted
        self.made += 1
        return "create", Request("POST", "/api/users/", _user(self.made)), self._submitted

    def _user_path(self) -> str:
        return f"/api/users/{self.rng.choice(self.users)}/"

    def _poll(self) -> tuple[str, Request, Any]:
        if self.unfinished:
            followed = self.unfinished.popleft()
        elif self.finished:
            followed = _Followed(self.rng.choice(self.finished), again=True)
        else:
            return self.next()
        path = f"/api/tasks/{followed.task_id}/status/"
        if followed.etag is None:
            request = Request("GET", path)
        else:
            request = Request("GET", path, None, {"If-None-Match": followed.etag})

        def answered(_i: int, status: int, body: bytes, headers: Mapping[str, str]) -> None:
            if status == 304:
                self.unfinished.append(followed)
                return
            self._polled(followed, json.loads(body), headers.get("ETag"))

        return ("status" if followed.etag is None else "status_etag"), request, answered

    def _submitted(self, _i: int, _status: int, body: bytes, _h: Mapping[str, str]) -> None:
        task_id = str(json.loads(body)["task_id"])
        self.accepted.append(task_id)
        self.unfinished.append(_Followed(task_id))

    def _polled(self, followed: _Followed, task: dict[str, Any], etag: str | None) -> None:
        if task["status"] not in FINAL:
            followed.etag = etag
            self.unfinished.append(followed)
            return
        if followed.again:
            return
        self.finished.append(followed.task_id)
        if task["status"] == "DONE" and task["task_name"] == "create_user":
            made = self.doomed if self.rng.randrange(DOOMED) == 0 else self.users
            made.append(str(task["related_id"]))


def soak(context: Context) -> Figures:
    """The mixed load for ``soak_seconds``, the drain after it, and what became of every task."""
    deployment, options = context.deployment, context.sizes
    mix = Mix(random.Random(20261202))
    roles = context.roles
    before = cpu_seconds(roles)
    start_rss = _rss_now(roles)
    with ServerCpu(deployment) as servers, MemorySampler(roles) as memory:
        seconds = asyncio.run(
            _load(deployment.web_url, mix, options.clients, options.soak_seconds, options.soak_rate)
        )
        backlog = _unfinished(deployment.database_url)
        stopped = time.monotonic()
        drained = _drain(deployment.database_url, options.time_limit)
        drain_s = time.monotonic() - stopped
        memory.sample()
    spent = cpu_seconds(roles) - before
    outcome = _outcome(deployment.database_url, mix.accepted)
    figures = _figures(mix, seconds) | outcome
    done = int(outcome["soak_tasks_done"])
    figures |= {
        "soak_backlog_at_stop": float(backlog),
        "soak_drain_s": drain_s,
        "soak_undrained": float(not drained),
        "soak_cpu_ms_per_task": 1000 * spent / max(done, 1),
    }
    figures |= servers.per_task_ms("soak_", done)
    figures |= {f"soak_{name}": value for name, value in memory.peaks.items()}
    figures |= {f"soak_start_{name}": value for name, value in start_rss.items()}
    return figures


async def _load(url: str, mix: Mix, clients: int, seconds: float, rate: float) -> float:
    """Send ``mix``'s requests from ``clients`` closed-loop clients for ``seconds``; at most
    ``rate`` requests a second in all when ``rate`` is set. Returns the load's wall time."""
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as session:
        started = time.monotonic()
        deadline = started + seconds
        slots = iter(range(1 << 62))

        async def client() -> None:
            while (now := time.monotonic()) < deadline:
                if rate:
                    await asyncio.sleep(max(started + next(slots) / rate - now, 0))
                kind, request, on_reply = mix.next()
                await send(session, request, 0, mix.results[kind], EXPECT[kind], on_reply)

        await asyncio.gather(*(client() for _ in range(clients)))
        return time.monotonic() - started


def _figures(mix: Mix, seconds: float) -> Figures:
    """Each kind's rate, p50, p99 and errors; all kinds' together; each error by its kind."""
    figures: Figures = {}
    everything: list[float] = []
    for kind, result in mix.results.items():
        result.seconds = seconds
        figures |= result.figures(f"soak_{kind}")
        everything += result.latencies_ms
        for error, count in result.error_kinds.items():
            figures[f"soak_error {kind} {error}"] = float(count)
        for sample in result.error_samples:
            print(f"soak {kind} error: {sample}", flush=True)
    answered = sum(r.sent - r.errors for r in mix.results.values())
    return figures | {
        "soak_seconds": seconds,
        "soak_requests_per_s": answered / seconds if seconds else 0.0,
        "soak_p50_ms": percentile(everything, 50),
        "soak_p99_ms": percentile(everything, 99),
        "soak_errors": float(sum(r.errors for r in mix.results.values())),
        "soak_tasks_accepted": float(len(mix.accepted)),
    }


def _rss_now(roles: dict[str, list[int]]) -> dict[str, float]:
    sampler = MemorySampler(roles)
    sampler.sample()
    return {name: value for name, value in sampler.peaks.items() if name.startswith("total_")}


def _unfinished(database_url: str) -> int:
    """Tasks of the database not final yet (the whole database's, not only the soak's)."""
    connection = psycopg2.connect(database_url)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tasks WHERE status <> ALL(%s)", (list(FINAL),))
            return int(cursor.fetchone()[0])
    finally:
        connection.close()


def _drain(database_url: str, timeout: float) -> bool:
    """Wait until no task is unfinished; False at the deadline."""
    deadline = time.monotonic() + timeout
    while _unfinished(database_url):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _outcome(database_url: str, accepted: list[str]) -> Figures:
    """Every accepted submission against the database: found, DONE, or else counted."""
    connection = psycopg2.connect(database_url)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT status, count(*) FROM tasks WHERE id = ANY(%s::uuid[]) GROUP BY status",
                (accepted,),
            )
            statuses = Counter({str(status): int(count) for status, count in cursor.fetchall()})
    finally:
        connection.close()
    found = sum(statuses.values())
    return {
        "soak_tasks_done": float(statuses["DONE"]),
        "soak_tasks_not_done": float(found - statuses["DONE"]),
        "soak_tasks_lost": float(len(accepted) - found),
        **{f"soak_tasks_{status.lower()}": float(n) for status, n in statuses.items()},
    }
