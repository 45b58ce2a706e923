"""The User aggregate: a person known to the system, changed only through its rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from taskhub.domain.events import Event, UserCreated, UserDeleted, UserUpdated
from taskhub.domain.time import format_timestamp
from taskhub.domain.user_fields import validate_user_fields


@dataclass(eq=False)
class User:
    """A person known to the system. Equality is by id."""

    id: UUID
    username: str
    email: str
    date_joined: datetime
    first_name: str = ""
    last_name: str = ""
    is_active: bool = True
    version: int = 0
    events: list[Event] = field(default_factory=list, repr=False)

    @classmethod
    def register(cls, user_id: UUID, values: Mapping[str, Any], now: datetime) -> User:
        """Create a user from validated fields and record that it was created."""
        cleaned = validate_user_fields(values, require_all=True)
        user = cls(id=user_id, date_joined=now, **cleaned)
        user.events.append(UserCreated(user_id=user_id, username=user.username))
        return user

    def change(self, values: Mapping[str, Any]) -> None:
        """Apply the given fields, validated, as a new version; record which ones really changed.

        The version moves even when no value does: a store saves a user only over the version it
        loaded (compare-and-set), so a write that changes nothing still proves that what it read,
        and reports, is what is stored.
        """
        cleaned = validate_user_fields(values, require_all=False)
        changed = tuple(name for name, value in cleaned.items() if getattr(self, name) != value)
        for name, value in cleaned.items():
            setattr(self, name, value)
        self.version += 1
        self.events.append(UserUpdated(user_id=self.id, fields=changed))

    def mark_deleted(self) -> None:
        """Record the deletion; a store deletes the user only at the version it loaded."""
        self.events.append(UserDeleted(user_id=self.id))

    def to_dict(self) -> dict[str, Any]:
        """The user as JSON-ready data, the shape every task result uses."""
        return {
            "id": str(self.id),
            "username": self.username,
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "is_active": self.is_active,
            "date_joined": format_timestamp(self.date_joined),
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, User) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)
