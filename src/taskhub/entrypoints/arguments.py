"""Arguments from a caller, checked into the application's types with errors naming them."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from taskhub.domain.errors import InvalidQuery

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
