"""Where a process's log lines go and how they read (``TASKHUB_LOG_FORMAT``, ``_LEVEL``).

One handler on the root logger, to standard error, so every library's lines (gunicorn's,
Celery's, SQLAlchemy's) read alike: ``text``, a line for a person, or ``json``, one object a
line (python-json-logger) with ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``process``,
``message``, the context of the moment (``request_id``, ``task_id``, ``task_name``,
``operation``: ``taskhub.application.log_context``) and the fields the line itself gives
(``event``, ``status``, ``duration_ms`` …). In text, the context follows the message as
``key=value`` pairs, and every control character of the line is escaped (``\\n``, ``\\x1b`` …):
a message may carry a client's text, which must not forge a line of its own (JSON escapes them
already). A traceback, which is ours, stays as it is, over several lines.
"""

from __future__ import annotations

import logging
import re

from pythonjsonlogger.json import JsonFormatter

from taskhub.application.log_context import FIELDS, log_context
from taskhub.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s%(context)s"
JSON_FORMAT = "%(levelname)s %(name)s %(process)d %(message)s"
JSON_NAMES = {"levelname": "level", "name": "logger"}
# Lines a server writes of each request: ours (``taskhub.http``) say more, and once, and name
# no client (flask-limiter's line of each refusal names its key, the client's address).
QUIETED = ("werkzeug", "flask-limiter")
# C0 and C1 controls, DEL, and the separators a reader may take for the end of a line.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


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


class TextFormatter(logging.Formatter):
    """A line for a person: one line, whatever its message holds, then the traceback if any."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        return escape_controls(super().formatMessage(record))


def escape_controls(text: str) -> str:
    """``text`` with each control character written as its escape (``\\n``, ``\\x1b``)."""
    return CONTROL.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    return ESCAPES.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(JSON_FORMAT, rename_fields=JSON_NAMES, timestamp="time")
    return TextFormatter(TEXT_FORMAT)


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
