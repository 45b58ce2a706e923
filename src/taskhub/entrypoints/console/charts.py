"""The overview's chart of tasks finished per minute, as geometry: pure functions from the
counts to rectangles and ticks, which a template draws as SVG (no JavaScript, no library).

Each minute is one column, stacked from the bottom in ``STACK``'s order, so failures sit on
top of the successes they stand out from. The scale's top is a round number (1, 2 or 5 times
a power of ten per step, at most ``MAX_STEPS`` steps) so that its grid lines read at a glance.
Coordinates are in the SVG's own units (``WIDTH`` by ``HEIGHT``); the page scales it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from taskhub.application.ports import MinuteCount
from taskhub.domain.task import TaskStatus

WIDTH, HEIGHT = 720, 240
# The plot inside, leaving room for the axes' labels on the left and at the bottom.
LEFT, RIGHT, TOP, BOTTOM = 48, WIDTH - 8, 12, HEIGHT - 36
STACK = (TaskStatus.DONE, TaskStatus.FAILED, TaskStatus.CANCELLED)
MAX_STEPS = 4
LABEL_EVERY = timedelta(minutes=30)
MIN_BAR_HEIGHT = 1.5  # of the chart's units: a count above nought is never invisible
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Bar:
    """``count`` tasks that ended ``status`` in ``minute``, drawn at (x, y) of this size."""

    x: float
    y: float
    width: float
    height: float
    status: TaskStatus
    minute: datetime
    count: int


@dataclass(frozen=True)
class Tick:
    at: float  # x for the time axis, y for the count axis
    label: str


@dataclass(frozen=True)
class Chart:
    bars: Sequence[Bar]
    times: Sequence[Tick]
    counts: Sequence[Tick]
    totals: Mapping[TaskStatus, int]
    peak: int
    since: datetime
    until: datetime
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP
    bottom: int = BOTTOM

    @property
    def description(self) -> str:
        """What the chart shows, in words: its ``<desc>``, for those who cannot see it."""
        span = f"From {self.since:%H:%M} to {self.until:%H:%M} UTC"
        if not self.peak:
            return f"{span}, no task finished."
        ended = ", ".join(f"{self.totals[status]} {status}" for status in STACK)
        return f"{span}: {ended}; at most {self.peak} in one minute."


def by_minute(counts: Sequence[MinuteCount]) -> dict[datetime, dict[TaskStatus, int]]:
    """The counts of each minute by status, earliest minute first (minutes with none left out)."""
    minutes: dict[datetime, dict[TaskStatus, int]] = defaultdict(dict)
    for count in sorted(counts, key=lambda c: c.minute):
        minutes[count.minute][count.status] = count.count
    return dict(minutes)


def scale(peak: int) -> tuple[int, int]:
    """The top of the count axis and its step: the least round step that reaches ``peak`` in
    at most ``MAX_STEPS`` steps (1 for an empty chart, so it still has an axis)."""
    magnitude = 10 ** max(0, int(math.log10(max(peak, 1))) - 1)
    step = next(
        m * magnitude * 10**k
        for k in range(3)
        for m in (1, 2, 5)
        if peak <= MAX_STEPS * m * magnitude * 10**k
    )
    return max(step, math.ceil(peak / step) * step), step


def finished_chart(counts: Sequence[MinuteCount], since: datetime, now: datetime) -> Chart:
    """The chart of the minutes from ``since`` to ``now``'s minute, both included."""
    until = now.replace(second=0, microsecond=0)
    minutes = {at: by_status for at, by_status in by_minute(counts).items() if since <= at <= until}
    slot = (RIGHT - LEFT) / (int((until - since) / MINUTE) + 1)
    peak = max((sum(by_status.values()) for by_status in minutes.values()), default=0)
    top, step = scale(peak)
    per_count = (BOTTOM - TOP) / top
    bars = [
        bar
        for minute, by_status in minutes.items()
        for bar in _column(minute, by_status, LEFT + _offset(since, minute) * slot, slot, per_count)
    ]
    totals = {status: sum(m.get(status, 0) for m in minutes.values()) for status in STACK}
    counts_axis = [Tick(BOTTOM - n * per_count, str(n)) for n in range(0, top + 1, step)]
    times = [Tick(LEFT + (_offset(since, moment) + 0.5) * slot, f"{moment:%H:%M}")
             for moment in _round_moments(since, until)]  # fmt: skip
    return Chart(bars, times, counts_axis, totals, peak, since, until)


def _offset(since: datetime, minute: datetime) -> int:
    return int((minute - since) / MINUTE)


def _column(
    minute: datetime, by_status: Mapping[TaskStatus, int], x: float, slot: float, per_count: float
) -> list[Bar]:
    """One minute's column: a bar per status that has any, each on the one below it."""
    bars, base = [], float(BOTTOM)
    for status in STACK:
        if count := by_status.get(status, 0):
            height = max(count * per_count, MIN_BAR_HEIGHT)  # one failure among many still shows
            base -= height
            bar = Bar(x + slot * 0.1, base, max(slot * 0.8, 1.0), height, status, minute, count)
            bars.append(bar)
    return bars


def _round_moments(since: datetime, until: datetime) -> list[datetime]:
    """Every round half hour (``LABEL_EVERY``) from ``since`` to ``until``."""
    hour = since.replace(minute=0, second=0, microsecond=0)
    moment = hour + LABEL_EVERY * math.ceil((since - hour) / LABEL_EVERY)
    moments = []
    while moment <= until:
        moments.append(moment)
        moment += LABEL_EVERY
    return moments
