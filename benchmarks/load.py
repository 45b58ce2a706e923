"""The load generator: closed-loop HTTP clients on asyncio in this one process.

Each of ``clients`` coroutines sends a request, waits for its answer and sends the next, until
``count`` requests have been sent or ``time_limit`` seconds have passed, whichever comes first.
Latencies come from this process's monotonic clock; every answer that is not expected, and every
exception, is an error counted and sampled, never dropped.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    json: Any = None
    headers: Mapping[str, str] | None = None


OnReply = Callable[[int, int, bytes, Mapping[str, str]], None]


@dataclass
class LoadResult:
    """What one load run saw: answers, errors, its wall time and every latency (ms)."""

    sent: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    error_kinds: Counter[str] = field(default_factory=Counter)  # "HTTP 500", "ClientOSError"

    @property
    def rate(self) -> float:
        return (self.sent - self.errors) / self.seconds if self.seconds else 0.0

    def error(self, what: str, kind: str = "other") -> None:
        self.errors += 1
        self.error_kinds[kind] += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(what)

    def figures(self, prefix: str) -> dict[str, float]:
        return {
            f"{prefix}_per_s": self.rate,
            f"{prefix}_p50_ms": percentile(self.latencies_ms, 50),
            f"{prefix}_p99_ms": percentile(self.latencies_ms, 99),
            f"{prefix}_errors": float(self.errors),
        }


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile (0 with no values)."""
    if not values:
        return 0.0
    ranked = sorted(values)
    return ranked[max(math.ceil(p / 100 * len(ranked)) - 1, 0)]


def closed_loop(
    base_url: str,
    make: Callable[[int], Request],
    count: int,
    clients: int,
    time_limit: float,
    expect: frozenset[int],
    on_reply: OnReply | None = None,
) -> LoadResult:
    """Send ``make(i)`` for i in 0..count-1 from ``clients`` closed-loop clients."""
    return asyncio.run(_closed_loop(base_url, make, count, clients, time_limit, expect, on_reply))


async def _closed_loop(
    base_url: str,
    make: Callable[[int], Request],
    count: int,
    clients: int,
    time_limit: float,
    expect: frozenset[int],
    on_reply: OnReply | None,
) -> LoadResult:
    result = LoadResult()
    next_index = iter(range(count))
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=timeout) as session:
        started = time.monotonic()
        deadline = started + time_limit

        async def client() -> None:
            for index in next_index:
                if time.monotonic() > deadline:
                    return
                await send(session, make(index), index, result, expect, on_reply)

        await asyncio.gather(*(client() for _ in range(clients)))
        result.seconds = time.monotonic() - started
    return result


async def send(
    session: aiohttp.ClientSession,
    request: Request,
    index: int,
    result: LoadResult,
    expect: frozenset[int],
    on_reply: OnReply | None,
) -> None:
    """Send ``request``, count it in ``result`` and hand an expected answer to ``on_reply``."""
    result.sent += 1
    began = time.monotonic()
    try:
        async with session.request(
            request.method, request.path, json=request.json, headers=request.headers
        ) as response:
            body = await response.read()
            status, headers = response.status, response.headers
    except (aiohttp.ClientError, TimeoutError) as error:
        result.error(f"{request.method} {request.path}: {error!r}", type(error).__name__)
        return
    result.latencies_ms.append((time.monotonic() - began) * 1000)
    result.statuses[status] += 1
    if status not in expect:
        result.error(f"{request.method} {request.path}: {status} {body[:200]!r}", f"HTTP {status}")
    elif on_reply is not None:
        on_reply(index, status, body, headers)
