"""Settings of the web: the HTTP API's bounds (bodies, waits, streams, CORS, rate limits)."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
)

from taskhub.settings.values import (
    AtLeastOne,
    NotNegative,
    Positive,
    check_origins,
    check_rate_limits,
    setting,
    url_of,
)


class WebSettings(BaseModel):
    """The HTTP API's bounds: bodies, waits, event streams, CORS and rate limits."""

    max_body_bytes: AtLeastOne = setting(
        1_048_576, "largest request body the HTTP API accepts (413 beyond)"
    )
    max_wait_seconds: NotNegative = setting(30.0, "cap on `Prefer: wait=N` in the HTTP API")
    sse_heartbeat_seconds: Positive = setting(
        5.0,
        "seconds between a task event stream's keep-alive comments, and between its reads of "
        "the task when no event wakes it",
    )
    sse_max_seconds: Positive = setting(
        300.0, "longest a task event stream stays open (the client reconnects with `Last-Event-ID`)"
    )
    sse_max_streams: AtLeastOne = setting(
        4, "task event streams a web process holds open at once, each on a thread (503 beyond)"
    )
    cors_origins: Annotated[str, AfterValidator(check_origins)] = setting(
        "", "origins whose scripts may call `/api/` (comma-separated, or `*`)", shown="(none)"
    )
    rate_limit: Annotated[str, AfterValidator(check_rate_limits)] = setting(
        "",
        "requests each client may make to `/api/`, e.g. `100/minute;2000/hour` (429 beyond)",
        shown="(none: unlimited)",
    )
    rate_limit_storage_url: Annotated[str, url_of("redis", "rediss", "memory")] = setting(
        "",
        "where the counts live: `redis://…` (shared by every process) or `memory://` (each "
        "process its own)",
        shown="the broker if it is Redis, else `memory://`",
    )
    forwarded_hops: Annotated[int, Field(ge=0)] = setting(
        0, "proxies in front of the web whose `X-Forwarded-For`/`-Proto` name the client"
    )
