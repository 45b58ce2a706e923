"""Settings of the work: how tasks reach runners (bus, broker, workers, leases, the relay)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
)

from taskhub.settings.values import (
    BROKER_URL,
    AtLeastOne,
    NotNegative,
    Positive,
    setting,
)


class WorkSettings(BaseModel):
    """How tasks reach runners: the bus, the broker, workers, leases and the relay."""

    bus: Literal["inline", "thread", "celery"] = setting(
        "thread", "`thread` (background threads), `inline` (run on submit) or `celery`"
    )
    worker_threads: AtLeastOne = setting(4, "threads of the `thread` bus")
    worker_concurrency: AtLeastOne = setting(
        2, "pool processes of a Celery worker (`--concurrency` overrides it)"
    )
    lease_seconds: Positive = setting(
        30.0,
        "how long a claim holds a task unrenewed before another runner may take it over "
        "(renewed every third of it while the task runs)",
    )
    task_time_limit_seconds: Positive = setting(
        300.0, "a worker stops a task running longer (`time_limit_exceeded`)"
    )
    broker_url: Annotated[str, BROKER_URL] = setting(
        "redis://127.0.0.1:6379/0",
        "Celery broker (`redis://` or `amqp://`); setting it asks for `TASKHUB_BUS=celery`",
    )
    queue: str = setting("taskhub", "the queue tasks are published to and workers consume")
    events_url: Annotated[str, BROKER_URL] = setting(
        "", "kombu URL for the event exchange", shown="(none: events stay in the process)"
    )
    publish_timeout_seconds: Positive = setting(
        1.0, "bound on connecting to the broker when publishing"
    )
    max_attempts: AtLeastOne = setting(
        3, "attempts before a task that keeps losing its runner fails (`worker_lost`)"
    )
    relay_idle_seconds: NotNegative = setting(
        30.0, "how long a task idles before a sweep first hands it on (then 2, 4 … 32 idles)"
    )
    relay_interval_seconds: Positive = setting(
        5.0, "seconds between sweeps (in-process on `thread`, else `taskhub relay`'s)"
    )
