"""The overview's chart as geometry: stacked columns per minute, a round scale, the time axis
labelled every half hour, and a description in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from taskhub.application.ports import MinuteCount
from taskhub.domain.task import TaskStatus
from taskhub.entrypoints.console.charts import BOTTOM, LEFT, RIGHT, TOP, finished_chart, scale

SINCE = datetime(2025, 3, 18, 7, 15, tzinfo=UTC)
NOW = datetime(2025, 3, 18, 10, 15, 30, tzinfo=UTC)  # 181 minutes, both ends included
LAST = NOW.replace(second=0)


@pytest.mark.parametrize(
    ("peak", "top", "step"),
    [(0, 1, 1), (1, 1, 1), (4, 4, 1), (7, 8, 2), (9, 10, 5), (45, 60, 20), (130, 150, 50)],
)
def test_the_scale_tops_at_a_round_number_in_at_most_four_steps(
    peak: int, top: int, step: int
) -> None:
    assert scale(peak) == (top, step)


def test_a_minutes_statuses_stack_done_first_from_the_bottom_in_proportion() -> None:
    counts = [MinuteCount(SINCE, TaskStatus.FAILED, 1), MinuteCount(SINCE, TaskStatus.DONE, 3),
              MinuteCount(LAST, TaskStatus.CANCELLED, 2)]  # fmt: skip
    chart = finished_chart(counts, SINCE, NOW)
    first, second, last = chart.bars
    assert [bar.status for bar in chart.bars] == ["DONE", "FAILED", "CANCELLED"]
    assert (first.y + first.height, second.y + second.height) == (BOTTOM, first.y)
    assert first.height == pytest.approx(3 * second.height)
    assert second.y == pytest.approx(TOP)  # 4 a minute is the top of the scale
    slot = (RIGHT - LEFT) / 181
    assert first.x == pytest.approx(LEFT + 0.1 * slot)
    assert last.x + last.width == pytest.approx(RIGHT - 0.1 * slot)  # the last minute, at the end
    assert [tick.label for tick in chart.counts] == ["0", "1", "2", "3", "4"]
    assert chart.totals == {"DONE": 3, "FAILED": 1, "CANCELLED": 2}
    assert chart.description == (
        "From 07:15 to 10:15 UTC: 3 DONE, 1 FAILED, 2 CANCELLED; at most 4 in one minute."
    )


def test_the_time_axis_is_labelled_every_round_half_hour_under_its_minute() -> None:
    chart = finished_chart([], SINCE, NOW)
    assert [tick.label for tick in chart.times] == [
        "07:30", "08:00", "08:30", "09:00", "09:30", "10:00"
    ]  # fmt: skip
    slot = (RIGHT - LEFT) / 181
    assert chart.times[0].at == pytest.approx(LEFT + 15.5 * slot)


def test_an_empty_chart_has_an_axis_and_says_nothing_finished() -> None:
    chart = finished_chart([], SINCE, NOW)
    assert chart.bars == []
    assert [tick.label for tick in chart.counts] == ["0", "1"]
    assert chart.description == "From 07:15 to 10:15 UTC, no task finished."


def test_counts_outside_the_window_are_not_drawn() -> None:
    early = MinuteCount(SINCE - timedelta(minutes=1), TaskStatus.DONE, 5)
    chart = finished_chart([early], SINCE, NOW)
    assert (chart.bars, chart.peak, chart.totals["DONE"]) == ([], 0, 0)


def test_one_failure_among_a_million_is_still_drawn() -> None:
    counts = [MinuteCount(SINCE, TaskStatus.DONE, 1_000_000),
              MinuteCount(SINCE, TaskStatus.FAILED, 1)]  # fmt: skip
    done, failed = finished_chart(counts, SINCE, NOW).bars
    assert failed.height >= 1.5
    assert failed.y + failed.height == pytest.approx(done.y)
