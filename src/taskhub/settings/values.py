"""The kinds of value a setting takes, each with its bound and the sentence that refuses it."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
)

from taskhub.domain.time import (
    DURATION_EXAMPLES,
    LONGEST_DURATION,
    format_duration,
    parse_duration,
)

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NotNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
AtLeastOne = Annotated[int, Field(ge=1)]
# The notation of flask-limiter (its ``limits`` package), of at least one request: "N/unit" or
# "N per [M] unit", several joined by ";", "," or "|".
_RATE = r"\s*0*[1-9][0-9]*\s*(/|\s*per\s*)\s*([0-9]+\s*)?(second|minute|hour|day|month|year)s?\s*"
RATE_LIMITS = re.compile(rf"({_RATE}([;,|]{_RATE})*)?", re.IGNORECASE)
ORIGIN = re.compile(r"\*|https?://[^/\s,]+")


def check_rate_limits(value: str) -> str:
    if not RATE_LIMITS.fullmatch(value):
        raise ValueError(
            "must be like 100/minute, or several joined by ';' (100/minute;2000/hour), each "
            "of at least 1"
        )
    return value


def _duration(value: Any) -> Any:
    """A duration given as text (``30d``, ``12h``, ``90m``) or as a ``timedelta``."""
    return parse_duration(value) if isinstance(value, str) else value


def _within_reason(span: timedelta) -> timedelta:
    if not timedelta(0) <= span <= LONGEST_DURATION:
        raise ValueError(f"must be a duration of at most {format_duration(LONGEST_DURATION)}")
    return span


def _positive(span: timedelta) -> timedelta:
    if span <= timedelta(0):
        raise ValueError(f"must be a positive duration like {DURATION_EXAMPLES}")
    return _within_reason(span)


Duration = Annotated[timedelta, BeforeValidator(_duration), AfterValidator(_within_reason)]
PositiveDuration = Annotated[timedelta, BeforeValidator(_duration), AfterValidator(_positive)]


def check_origins(value: str) -> str:
    if value and not all(ORIGIN.fullmatch(part.strip()) for part in value.split(",")):
        raise ValueError("must be origins like https://example.com (no path), comma-separated")
    return value


def url_of(*schemes: str) -> AfterValidator:
    """A URL setting that is empty or starts with one of ``schemes``."""
    allowed = ", ".join(f"{scheme}://" for scheme in schemes)

    def check(value: str) -> str:
        if value and value.partition("://")[0] not in schemes:
            raise ValueError(f"must start with one of {allowed}")
        try:
            _ = urlsplit(value).port  # a port that is not a number, or out of range
        except ValueError as error:
            raise ValueError(f"is not a URL taskhub can use: {error}") from None
        return value

    return AfterValidator(check)


BROKER_URL = url_of("redis", "rediss", "amqp", "amqps", "pyamqp")


def _none_if_empty(value: Any) -> Any:
    """An empty variable (``TASKHUB_X=``) is the setting left unset."""
    return None if value == "" else value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


Port = Annotated[int, Field(ge=1, le=65535)]
OptionalPort = Annotated[Port | None, BeforeValidator(_none_if_empty)]
LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper)]


def default_data_dir() -> str:
    """Where the embedded database lives: ``$XDG_DATA_HOME/taskhub``, else ``~/.local/share``."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return os.path.join(base, "taskhub")


def path_text(value: Any) -> Any:
    """A path given as a ``Path`` is the same setting as its text."""
    return os.fspath(value) if isinstance(value, os.PathLike) else value


def setting(default: Any, meaning: str, shown: str | None = None) -> Any:
    """A setting's default and meaning; ``shown`` is how the README shows a default that is
    not a value a reader would type (an empty string that means "the embedded file")."""
    return Field(
        default, description=meaning, json_schema_extra={"shown": shown} if shown else None
    )
