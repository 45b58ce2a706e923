"""The overview, the console's first page: counts by status, tasks finished per minute over the
last hours (an SVG drawn by the server from ``charts``, and the same figures as a table), the
backlog and its oldest age, and the processes seen lately (``TaskService.overview``: one read,
so the figures agree with each other)."""

from __future__ import annotations

from flask import render_template

from taskhub.application.overview import Overview
from taskhub.domain.task import TaskStatus
from taskhub.entrypoints.console.blueprint import console
from taskhub.entrypoints.console.charts import STACK, by_minute, finished_chart
from taskhub.entrypoints.console.task_facts import spoken_duration
from taskhub.entrypoints.http.state import service


@console.get("/overview/")
def overview() -> str:
    """How the work stands now, and how it went over the last three hours."""
    return page(service().overview())


def page(seen: Overview) -> str:
    """The overview page of ``seen``."""
    return render_template(
        "overview.html", overview=seen, statuses=list(TaskStatus), stack=STACK,
        chart=finished_chart(seen.finished_per_minute, seen.since, seen.now),
        minutes=by_minute(seen.finished_per_minute), age=spoken_duration,
    )  # fmt: skip
