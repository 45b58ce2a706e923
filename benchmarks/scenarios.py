"""The scenarios: each measures one round and returns its figures, named as ``report`` reads them.

``floor`` and ``baseline`` are the yardsticks, measured in the same run as what they measure:
``accept`` and ``status`` against the floor, ``e2e`` and ``latency`` against the baseline.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
import psycopg2

from benchmarks import baseline_app
from benchmarks.deployment import BASELINE_BROKER_DB, BASELINE_RESULTS_DB, Deployment
from benchmarks.load import LoadResult, Request, closed_loop, percentile
from benchmarks.resources import cpu_seconds
from benchmarks.servers import ServerCpu

FINAL = ("DONE", "FAILED", "CANCELLED")
Figures = dict[str, float]


@dataclass(frozen=True)
class Sizes:
    creates: int
    clients: int
    latency_creates: int
    time_limit: float
    soak_seconds: float = 300.0
    soak_rate: float = 0.0  # requests/s of the soak in all; 0: as fast as its clients go


@dataclass
class Context:
    """What every scenario of a run shares: the deployment, the sizes, the last tasks made."""

    deployment: Deployment
    sizes: Sizes
    task_ids: list[str] = field(default_factory=list)

    @property
    def roles(self) -> dict[str, list[int]]:
        """The processes whose memory and CPU are taskhub's: web, worker and relay."""
        return {role: self.deployment.pids(role) for role in ("web", "worker", "relay")}


def floor(context: Context) -> Figures:
    """The bare WSGI handler: creates (INSERT+COMMIT, LPUSH), then PK reads of them."""
    sizes, url = context.sizes, context.deployment.floor_url
    ids: list[str] = []
    pids = context.deployment.pids("floor")
    created, create_cpu = _with_cpu(
        pids,
        lambda: submit_creates(url, "/floor/", sizes, ids),
    )
    read, read_cpu = _with_cpu(
        pids,
        lambda: closed_loop(
            url,
            lambda i: Request("GET", f"/floor/{ids[i % len(ids)]}/"),
            sizes.creates,
            sizes.clients,
            sizes.time_limit,
            frozenset({200}),
        ),
    )
    figures = created.figures("floor_accept") | read.figures("floor_status")
    return figures | {"floor_cpu_ms_per_request": create_cpu, "floor_status_cpu_ms": read_cpu}


def _with_cpu(pids: list[int], load: Callable[[], LoadResult]) -> tuple[LoadResult, float]:
    """What ``load`` saw, and the CPU milliseconds ``pids`` (and their children) spent per
    answered request meanwhile."""
    before = cpu_seconds({"": pids})
    result = load()
    spent = cpu_seconds({"": pids}) - before
    return result, 1000 * spent / max(result.sent - result.errors, 1)


def creates(context: Context) -> Figures:
    """``accept`` and ``e2e``: creates from closed-loop clients, answered 202, then run by the
    worker until every one is final; completion from the tasks' own timestamps."""
    sizes, deployment = context.sizes, context.deployment
    ids: list[str] = []
    before = {role: cpu_seconds({role: pids}) for role, pids in context.roles.items()}
    with ServerCpu(deployment) as servers:
        accepted = submit_creates(deployment.web_url, "/api/users/", sizes, ids)
        rows = wait_final(deployment.database_url, ids, sizes.time_limit)
    spent = {role: cpu_seconds({role: pids}) - before[role] for role, pids in context.roles.items()}
    context.task_ids = ids
    done = [(created, updated) for status, created, updated in rows if status == "DONE"]
    figures = accepted.figures("accept")
    if done:
        span = (max(u for _, u in done) - min(c for c, _ in done)).total_seconds()
        each = [(u - c).total_seconds() * 1000 for c, u in done]
        figures |= {
            "e2e_tasks_per_s": len(done) / span if span else 0.0,
            "e2e_p50_ms": percentile(each, 50),
            "e2e_p99_ms": percentile(each, 99),
        }
    figures["e2e_errors"] = float(len(ids) - len(done))
    for role, seconds in spent.items():
        figures[f"{role}_cpu_ms_per_task"] = 1000 * seconds / max(len(done), 1)
    figures["cpu_ms_per_task"] = sum(spent.values()) * 1000 / max(len(done), 1)
    figures |= servers.per_task_ms("", len(done))
    server_seconds = servers.seconds["postgres"] + servers.seconds["redis"]
    figures["stack_cpu_ms_per_task"] = figures["cpu_ms_per_task"] + server_seconds * 1000 / max(
        len(done), 1
    )
    return figures


def wait_final(database_url: str, ids: list[str], timeout: float) -> list[tuple[str, Any, Any]]:
    """(status, created_at, updated_at) of the tasks ``ids`` once all are final, or at the
    deadline (those not final then count as errors)."""
    deadline = time.monotonic() + timeout
    connection = psycopg2.connect(database_url)
    try:
        while True:
            with connection, connection.cursor() as cursor:
                cursor.execute(
                    "SELECT status, created_at, updated_at FROM tasks WHERE id = ANY(%s::uuid[])",
                    (ids,),
                )
                rows: list[tuple[str, Any, Any]] = cursor.fetchall()
            if all(status in FINAL for status, _, _ in rows) or time.monotonic() > deadline:
                return rows
            time.sleep(0.1)
    finally:
        connection.close()


def latency(context: Context) -> Figures:
    """One create at a time on an idle deployment: submit→DONE from the task's timestamps, and
    as this client saw it (POST, then status polls every 5 ms until final)."""
    return asyncio.run(_latency(context.deployment.web_url, context.sizes.latency_creates))


async def _latency(url: str, count: int) -> Figures:
    server: list[float] = []
    client: list[float] = []
    errors = 0
    async with aiohttp.ClientSession(url, timeout=aiohttp.ClientTimeout(total=30)) as session:
        for index in range(count):
            began = time.monotonic()
            async with session.post("/api/users/", json=_user(index)) as response:
                body = await response.read()
                if response.status != 202:
                    errors += 1
                    continue
            path = f"/api/tasks/{_task_id(body)}/status/"
            while True:
                async with session.get(path) as response:
                    task = await response.json()
                if task["status"] in FINAL:
                    break
                await asyncio.sleep(0.005)
            client.append((time.monotonic() - began) * 1000)
            errors += task["status"] != "DONE"
            server.append((moment(task["updated_at"]) - moment(task["created_at"])) * 1000)
    return {
        "latency_server_p50_ms": percentile(server, 50),
        "latency_server_p99_ms": percentile(server, 99),
        "latency_client_p50_ms": percentile(client, 50),
        "latency_client_p99_ms": percentile(client, 99),
        "latency_errors": float(errors),
    }


def status(context: Context) -> Figures:
    """Status reads of the last creates' tasks from closed-loop clients, then the same reads
    with If-None-Match naming each task's ETag (304)."""
    sizes, url = context.sizes, context.deployment.web_url
    if not context.task_ids:
        creates(context)
    ids = context.task_ids
    etags: dict[int, str] = {}

    def keep_etag(index: int, _status: int, _body: bytes, headers: Mapping[str, str]) -> None:
        etags[index % len(ids)] = headers.get("ETag", "")

    web = context.deployment.pids("web")
    read, read_cpu = _with_cpu(
        web,
        lambda: closed_loop(
            url,
            lambda i: Request("GET", f"/api/tasks/{ids[i % len(ids)]}/status/"),
            sizes.creates,
            sizes.clients,
            sizes.time_limit,
            frozenset({200}),
            keep_etag,
        ),
    )
    known = sorted(etags)

    def conditional(i: int) -> Request:
        index = known[i % len(known)]
        return Request(
            "GET", f"/api/tasks/{ids[index]}/status/", None, {"If-None-Match": etags[index]}
        )

    unchanged, unchanged_cpu = _with_cpu(
        web,
        lambda: closed_loop(
            url, conditional, sizes.creates, sizes.clients, sizes.time_limit, frozenset({304})
        ),
    )
    cpu = {"status_web_cpu_ms": read_cpu, "status_304_web_cpu_ms": unchanged_cpu}
    return read.figures("status") | unchanged.figures("status_304") | cpu


def baseline(context: Context) -> Figures:
    """A bare Celery no-op on the same worker settings and Redis: throughput with and without
    results (the queue filled first, so the worker alone is timed), and one round trip at a
    time (publish, then wait for the result)."""
    deployment, sizes = context.deployment, context.sizes
    app = baseline_app.make_app(
        deployment.redis_url(BASELINE_BROKER_DB), deployment.redis_url(BASELINE_RESULTS_DB)
    )
    try:
        app.send_task(baseline_app.NOOP_WITH_RESULT).get(timeout=60)  # the worker is up
        figures = {
            "baseline_results_per_s": _drained(context, app, baseline_app.NOOP_WITH_RESULT),
            "baseline_noresults_per_s": _drained(context, app, baseline_app.NOOP),
        }
        app.send_task(baseline_app.NOOP_WITH_RESULT).get(timeout=10)  # untimed, after the drains
        trips: list[float] = []
        for _ in range(sizes.latency_creates):
            began = time.monotonic()
            app.send_task(baseline_app.NOOP_WITH_RESULT).get(timeout=10)
            trips.append((time.monotonic() - began) * 1000)
    finally:
        gc.collect()  # AsyncResults unsubscribe when collected: now, while Redis still answers
        app.close()
    return figures | {
        "baseline_roundtrip_p50_ms": percentile(trips, 50),
        "baseline_roundtrip_p99_ms": percentile(trips, 99),
    }


def _drained(context: Context, app: Any, task: str) -> float:
    """No-ops per second: ``creates`` messages published to a queue no worker reads, moved
    into the worker's queue in one LPUSH, timed until every one is done."""
    broker = context.deployment.redis(BASELINE_BROKER_DB)
    results = context.deployment.redis(BASELINE_RESULTS_DB)
    results.flushdb()
    hold = f"bench_hold_{uuid.uuid4().hex[:8]}"
    count = context.sizes.creates
    for _ in range(count):
        app.send_task(task, queue=hold)
    messages: list[bytes] = broker.lrange(hold, 0, -1)  # type: ignore[assignment]
    messages.reverse()
    broker.delete(hold)
    done: Callable[[], bool]
    if task == baseline_app.NOOP_WITH_RESULT:
        done = lambda: int(results.dbsize()) >= count  # type: ignore[arg-type]  # noqa: E731
    else:
        done = lambda: broker.llen(baseline_app.QUEUE) == 0 and broker.hlen("unacked") == 0  # noqa: E731
    began = time.monotonic()
    broker.lpush(baseline_app.QUEUE, *messages)
    deadline = began + context.sizes.time_limit
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the baseline worker did not run {count} {task} in time")
        time.sleep(0.002)
    return count / (time.monotonic() - began)


def submit_creates(
    url: str, path: str, sizes: Sizes, ids: list[str], count: int | None = None
) -> LoadResult:
    """``count`` (else ``sizes.creates``) creates POSTed to ``path`` by closed-loop clients,
    each answered 202; the task ids answered go into ``ids``."""
    return closed_loop(
        url,
        lambda i: Request("POST", path, _user(i)),
        count or sizes.creates,
        sizes.clients,
        sizes.time_limit,
        frozenset({202}),
        lambda _i, _s, body, _h: ids.append(_task_id(body)),
    )


def _user(index: int) -> dict[str, str]:
    name = f"b{uuid.uuid4().hex[:12]}"
    return {"username": name, "email": f"{name}@example.com", "first_name": f"Bench {index}"}


def _task_id(body: bytes) -> str:
    return str(json.loads(body)["task_id"])


def moment(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


SCENARIOS: dict[str, Callable[[Context], Figures]] = {
    "floor": floor,
    "baseline": baseline,
    "accept": creates,
    "e2e": creates,
    "latency": latency,
    "status": status,
}
__all__ = ["SCENARIOS", "Context", "LoadResult", "Sizes"]
