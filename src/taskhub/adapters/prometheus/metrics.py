"""The metrics taskhub records: made once per process, on prometheus-client's registry.

Every label is bounded: a task's name and operation (the catalogue's), its final status (DONE,
FAILED or CANCELLED) and failure code (the domain's fixed codes, ``cancelled`` included), an
HTTP method (seven, else ``other``), a route template (never a path with ids in it) and a
status code.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from prometheus_client import Counter, Histogram

TASK = ("task_name", "operation")
RUN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
WAIT_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


@dataclass(frozen=True)
class TaskMetrics:
    submitted: Counter
    started: Counter
    finished: Counter
    abandoned: Counter
    redispatched: Counter
    run_duration: Histogram
    submit_to_done: Histogram

    def initialise(self, tasks: Iterable[tuple[str, str]]) -> None:
        """Show every (task name, operation) at 0 before its first task, so a rate over the
        first one counts it."""
        for labels in tasks:
            for counter in (self.submitted, self.started, self.abandoned, self.redispatched):
                counter.labels(*labels)
            self.finished.labels(*labels, "DONE", "")


@dataclass(frozen=True)
class HttpMetrics:
    requests: Counter
    duration: Histogram


@functools.cache
def task_metrics() -> TaskMetrics:
    return TaskMetrics(
        submitted=Counter("taskhub_tasks_submitted", "Tasks recorded PENDING.", TASK),
        started=Counter("taskhub_tasks_started", "Attempts claimed by a runner.", TASK),
        finished=Counter(
            "taskhub_tasks_finished",
            "Tasks ended DONE, FAILED or CANCELLED (code: the failure's or cancel's, empty "
            "when DONE).",
            (*TASK, "status", "code"),
        ),
        abandoned=Counter(
            "taskhub_tasks_abandoned",
            "Tasks failed worker_lost: every allowed attempt died with its runner.",
            TASK,
        ),
        redispatched=Counter(
            "taskhub_relay_redispatches", "Tasks the relay handed to the bus again.", TASK
        ),
        run_duration=Histogram(
            "taskhub_task_run_duration_seconds",
            "From the claim of the attempt that ended a task to its end.",
            (*TASK, "status"),
            buckets=RUN_BUCKETS,
        ),
        submit_to_done=Histogram(
            "taskhub_task_submit_to_done_seconds",
            "From a task's submission to its end, DONE, FAILED or CANCELLED.",
            (*TASK, "status"),
            buckets=WAIT_BUCKETS,
        ),
    )


@functools.cache
def http_metrics() -> HttpMetrics:
    return HttpMetrics(
        requests=Counter(
            "taskhub_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
        ),
        duration=Histogram(
            "taskhub_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ("method", "route"),
            buckets=HTTP_BUCKETS,
        ),
    )
