"""The console's tasks table and task page, as pure functions: the filters read from a query
string, and the timings and JSON a task's page shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from taskhub.domain.task import Operation, TaskStatus
from taskhub.entrypoints.console.task_facts import TaskFacts, pretty_json, spoken_duration
from taskhub.entrypoints.console.task_queries import read_query
from taskhub.testing import MOMENT, a_task


def test_filters_are_read_into_the_task_filter_and_kept_for_the_next_page() -> None:
    query = read_query({"status": "FAILED", "operation": "READ", "after": "2025-03-18T09:00",
                        "before": "2025-03-18T10:00+01:00", "cursor": "x"}, MOMENT)  # fmt: skip
    assert query.where.status is TaskStatus.FAILED
    assert query.where.operation is Operation.READ
    assert query.where.created_after == datetime(2025, 3, 18, 9, tzinfo=UTC)  # no zone: UTC
    assert query.where.created_before == datetime(2025, 3, 18, 9, tzinfo=UTC)
    assert query.link_arguments("c2") == {"status": "FAILED", "operation": "READ",
                                          "after": "2025-03-18T09:00",
                                          "before": "2025-03-18T09:00", "cursor": "c2"}  # fmt: skip
    assert "cursor" not in query.link_arguments()  # the first page of the same table
    # a moment with a zone comes back in UTC, as the form's datetime-local field can show it
    assert not query.problems


def test_a_recent_span_is_counted_back_from_now_and_narrows_a_typed_start() -> None:
    assert read_query({"within": "hour"}, MOMENT).where.created_after == MOMENT - timedelta(hours=1)
    earlier = read_query({"within": "day", "after": "2025-03-01T00:00"}, MOMENT).where
    assert earlier.created_after == MOMENT - timedelta(days=1)


def test_what_cannot_be_read_is_named_and_left_out() -> None:
    query = read_query({"status": "LOST", "after": "soon", "within": "year"}, MOMENT)
    assert set(query.problems) == {"status", "after", "within"}
    assert query.where.status is None
    assert query.where.created_after is None


def test_durations_read_as_a_person_says_them() -> None:
    spans = [timedelta(milliseconds=420), timedelta(seconds=42), timedelta(seconds=192),
             timedelta(hours=2, minutes=5), timedelta(days=3, hours=4)]  # fmt: skip
    assert [spoken_duration(span) for span in spans] == [
        "0.42 s", "42 s", "3 min 12 s", "2 h 5 min", "3 d 4 h"
    ]  # fmt: skip


def test_a_task_allows_cancel_while_on_its_way_and_retry_once_when_it_did_not_do_its_work() -> None:
    pending = a_task()
    assert (TaskFacts(pending).may_cancel, TaskFacts(pending).may_retry) == (True, False)
    assert TaskFacts(pending).duration == "not finished"
    pending.cancel(MOMENT + timedelta(seconds=3))  # no runner holds it: CANCELLED at once
    assert (TaskFacts(pending).may_cancel, TaskFacts(pending).may_retry) == (False, True)
    assert TaskFacts(pending).duration == "3.00 s"
    pending.record_retry(a_task().id)
    assert not TaskFacts(pending).may_retry
    assert pretty_json({"a": [1]}) == '{\n  "a": [\n    1\n  ]\n}'
