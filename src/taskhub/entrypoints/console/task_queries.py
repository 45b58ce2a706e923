"""What the tasks table was asked for: its filters as the page's query string holds them, read
into a ``TaskFilter`` (the same one the API's list uses), and written back into links.

Time is either a recent span (``within``: the last hour, day or week) or a range the operator
types (``after``, ``before``: a browser's ``datetime-local`` text, read as UTC, the zone every
time on the console is shown in). A value it cannot read is named, and left out of the filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from taskhub.application.ports import TaskFilter
from taskhub.domain.task import Operation, TaskStatus
from taskhub.domain.time import in_utc

SPANS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
FILTERS = ("status", "operation", "within", "after", "before")
E = TypeVar("E", TaskStatus, Operation)


@dataclass(frozen=True)
class TaskQuery:
    """The filters given (text as typed), the ``TaskFilter`` they mean, and what was refused."""

    given: Mapping[str, str]
    where: TaskFilter
    problems: Mapping[str, str] = field(default_factory=dict)

    def link_arguments(self, cursor: str | None = None) -> dict[str, Any]:
        """The query string of this same table: its first page, or the one after ``cursor``."""
        kept: dict[str, Any] = {name: value for name, value in self.given.items() if value}
        return {**kept, "cursor": cursor} if cursor else kept


def read_query(args: Mapping[str, str], now: datetime) -> TaskQuery:
    """The filters of ``args`` (a page's query string), as of ``now``."""
    given = {name: args.get(name, "").strip() for name in FILTERS}
    problems: dict[str, str] = {}
    status = _choice(TaskStatus, given["status"], "status", problems)
    operation = _choice(Operation, given["operation"], "operation", problems)
    after = _moment(given["after"], "after", problems)
    before = _moment(given["before"], "before", problems)
    for name, moment in (("after", after), ("before", before)):
        if moment is not None:  # shown again as the form's field takes it: in UTC, no zone
            given[name] = f"{moment:%Y-%m-%dT%H:%M:%S}".removesuffix(":00")
    if given["within"]:
        if given["within"] in SPANS:
            after = max(after or now - SPANS[given["within"]], now - SPANS[given["within"]])
        else:
            problems["within"] = f"Choose one of: {', '.join(SPANS)}."
    where = TaskFilter(status=status, operation=operation, created_after=after,
                       created_before=before)  # fmt: skip
    return TaskQuery(given, where, problems)


def _choice(kind: type[E], text: str, name: str, problems: dict[str, str]) -> E | None:
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        problems[name] = f"Choose one of: {', '.join(kind)}."
        return None


def _moment(text: str, name: str, problems: dict[str, str]) -> datetime | None:
    """``text`` as a browser's ``datetime-local`` (or any ISO 8601 moment), in UTC if no zone."""
    if not text:
        return None
    try:
        return in_utc(datetime.fromisoformat(text))
    except ValueError:
        problems[name] = "Must be a date and time (years 1 to 9999), such as 2025-03-18T10:15."
        return None
