"""Where a process's log lines go and how they read (``TASKHUB_LOG_FORMAT``, ``_LEVEL``).

One handler on the root logger, to standard error, so every library's lines (gunicorn's,
Celery's, SQLAlchemy's) read alike: ``text``, a line for a person, or ``json``, one object a
line (python-json-logger) with ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``process``,
``message``, the context of the moment (``request_id``, ``task_id``, ``task_name``,
``operation``: ``taskhub.application.log_context``) and the fields the line itself gives
(``event``, ``status``, ``duration_ms`` …). In text, the context follows the message as
``key=value`` pairs.
"""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter

from taskhub.application.log_context import FIELDS, log_context
from taskhub.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s%(context)s"
JSON_FORMAT = "%(levelname)s %(name)s %(process)d %(message)s"
JSON_NAMES = {"levelname": "level", "name": "logger"}
# Lines a server writes of each request: ours (``taskhub.http``) say more, and once.
QUIETED = ("werkzeug",)


class ContextFilter(logging.Filter):
    """Puts the bound context on each record, without overriding what the line gave itself."""

    def __init__(self, text: bool) -> None:
        super().__init__()
        self._text = text

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in log_context().items():
            if getattr(record, name, None) is None:
                setattr(record, name, value)
        if self._text:
            pairs = ((name, getattr(record, name, None)) for name in FIELDS)
            record.context = "".join(f" {name}={value}" for name, value in pairs if value)
        return True


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(JSON_FORMAT, rename_fields=JSON_NAMES, timestamp="time")
    return logging.Formatter(TEXT_FORMAT)


def log_handler(settings: Settings) -> logging.Handler:
    """The handler to standard error, in the format the settings name."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(settings.log_format))
    handler.addFilter(ContextFilter(text=settings.log_format == "text"))
    handler.taskhub = True  # type: ignore[attr-defined]  # ours, to replace on a second call
    return handler


def configure_logging(settings: Settings, level: int | str | None = None) -> None:
    """Log from this process as ``settings`` say, at ``level`` if given (a command's option).

    Replaces the handler an earlier call installed, and no other (a test runner's stays).
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "taskhub", False)]:
        root.removeHandler(handler)
    root.addHandler(log_handler(settings))
    root.setLevel(level or settings.log_level)
    for name in QUIETED:
        logging.getLogger(name).setLevel(logging.WARNING)
