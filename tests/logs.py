"""Log lines as an operator reads them: through taskhub's own handler, parsed back."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prometheus_client import REGISTRY

from taskhub.bootstrap.logs import log_handler
from taskhub.settings import Settings

Line = dict[str, Any]


@contextmanager
def json_lines(level: int = logging.INFO) -> Iterator[Callable[[], list[Line]]]:
    """What this process logs meanwhile, as JSON lines of taskhub's handler, parsed on demand."""
    with logged("json", level) as text:
        yield lambda: [json.loads(line) for line in text().splitlines()]


@contextmanager
def logged(log_format: str, level: int = logging.INFO) -> Iterator[Callable[[], str]]:
    """What this process logs meanwhile through taskhub's handler in ``log_format``, as text."""
    stream = io.StringIO()
    handler = log_handler(Settings(log_format=log_format))
    handler.setStream(stream)  # type: ignore[attr-defined]
    root, before = logging.getLogger(), logging.getLogger().level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield stream.getvalue
    finally:
        root.removeHandler(handler)
        root.setLevel(before)


def lines_of(log: Path) -> list[Line]:
    """The JSON lines of a process's log file (Celery's banner and other text left out)."""
    found = []
    for text in log.read_text(errors="replace").splitlines():
        if text.startswith("{"):
            found.append(json.loads(text))
    return found


def events(lines: list[Line], event: str, **fields: Any) -> list[Line]:
    """The lines of ``event`` whose fields include ``fields``."""
    return [
        line
        for line in lines
        if line.get("event") == event and all(line.get(k) == v for k, v in fields.items())
    ]


def personal_values(fields: Mapping[str, Any]) -> list[str]:
    """The values of a user's fields that no log line may show."""
    return [str(fields[name]) for name in ("username", "email", "first_name", "last_name")]


def sample(name: str, **labels: str) -> float:
    """A sample of this process's metrics (0 when it has none yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0
