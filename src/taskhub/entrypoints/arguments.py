"""Arguments from a caller, checked into the application's types with errors naming them."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from taskhub.domain.errors import InvalidQuery
from taskhub.domain.time import DURATION_EXAMPLES, parse_duration

Id = UUID | str
E = TypeVar("E", bound=StrEnum)


def as_uuid(value: Id, name: str) -> UUID:
    """Accept a UUID or its text; refuse anything else with an error naming the argument."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidQuery({name: [f"{value!r} is not a valid UUID."]}) from None


def as_choice(kind: type[E], value: E | str, name: str) -> E:
    """Accept a member of ``kind`` or its value; refuse anything else naming the allowed ones."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidQuery({name: [f"{value!r} is not one of {allowed}."]}) from None


def as_duration(value: timedelta | str, name: str) -> timedelta:
    """Accept a ``timedelta`` or its text (``30d``, ``12h``, ``90m``); refuse other text."""
    if isinstance(value, timedelta):
        return value
    try:
        return parse_duration(value)
    except ValueError:
        problem = f"{value!r} is not a duration like {DURATION_EXAMPLES}."
        raise InvalidQuery({name: [problem]}) from None
