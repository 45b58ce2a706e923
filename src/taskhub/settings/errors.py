"""A refused setting, in one line: the variable, what it allows, and what it was given."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import ValidationError


class SettingsError(ValueError):
    """A setting is wrong: the process stops at start, saying which and what is allowed."""


def one_line(error: ValidationError, prefix: str) -> str:
    """The first problem pydantic found, as ``TASKHUB_NAME must … (not 'given').``"""
    problem = error.errors()[0]
    if not problem["loc"]:  # a rule over several settings: its message names them
        return str(problem["msg"]).removeprefix("Value error, ")
    variable = prefix + str(problem["loc"][0]).upper()
    if problem["type"] == "extra_forbidden":
        return f"{variable} is not a taskhub setting."
    rule = _rule(problem["type"], problem.get("ctx", {}), problem["msg"])
    return f"{variable} {rule} (not {masked(problem['input'])!r})."


def _rule(kind: str, context: dict[str, Any], message: str) -> str:
    if kind == "literal_error":
        return f"must be one of {context['expected']}"
    if kind == "greater_than":
        return "must be positive" if context["gt"] == 0 else f"must be greater than {context['gt']}"
    if kind == "greater_than_equal":
        return "must not be negative" if context["ge"] == 0 else f"must be at least {context['ge']}"
    if kind == "less_than_equal":
        return f"must be at most {context['le']}"
    if kind in ("int_parsing", "int_from_float"):
        return "must be a whole number"
    if kind == "float_parsing":
        return "must be a number"
    if kind == "value_error":  # a rule of ours, worded as the ones above
        return message.removeprefix("Value error, ")
    return f"is refused: {message}"


def masked(value: object) -> object:
    """``value``, with the password of a URL in it replaced by ``***`` (what is not a URL, or
    does not parse as one, is returned as it is)."""
    if not isinstance(value, str) or "://" not in value:
        return value
    try:
        parts = urlsplit(value)
        password = parts.password
    except ValueError:
        return value
    if password is None:
        return value
    netloc = parts.netloc.replace(f":{password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
