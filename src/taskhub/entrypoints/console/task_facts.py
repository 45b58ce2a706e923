"""What a task's page shows beyond the stored fields: its input and result as readable JSON, how
long it took, and which of cancel and retry it allows.

Whether a retry is allowed is the domain's to say (``Task.check_retryable``), so the page never
offers what ``TaskService.retry`` would refuse; the refusals that can still happen (another
administrator was quicker) come back as a banner.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from taskhub.domain.errors import TaskStateConflict
from taskhub.domain.task import Task


def pretty_json(value: Any) -> str:
    """``value`` indented for reading; the template escapes it like any other text."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)


def spoken_duration(span: timedelta) -> str:
    """``span`` as a person reads it: ``0.42 s``, ``3 min 12 s``, ``2 h 5 min`` (none below 0: two
    clocks' moments a hair apart)."""
    seconds = max(span.total_seconds(), 0.0)
    if seconds < 60:
        return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, seconds = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours < 48 else f"{hours // 24} d {hours % 24} h"


@dataclass(frozen=True)
class TaskFacts:
    task: Task

    @property
    def duration(self) -> str:
        """From submission to its end (its ``updated_at`` once final), or "not finished"."""
        if not self.task.is_finished:
            return "not finished"
        return spoken_duration(self.task.updated_at - self.task.created_at)

    @property
    def may_cancel(self) -> bool:
        """On its way, and not yet asked to stop (asking again would change nothing)."""
        return not self.task.is_finished and not self.task.cancel_requested

    @property
    def may_retry(self) -> bool:
        """FAILED or CANCELLED, not redacted (the domain's rule), and not retried already: a
        second retry is refused, the first one's page is where to go."""
        try:
            self.task.check_retryable()
        except TaskStateConflict:
            return False
        return self.task.retried_by is None

    @property
    def input_json(self) -> str:
        return pretty_json(self.task.input_data)

    @property
    def result_json(self) -> str:
        return pretty_json(self.task.result)
