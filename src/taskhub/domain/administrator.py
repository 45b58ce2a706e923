"""The Administrator: a person who may sign in to the console, apart from the users it manages.

Users are the resource taskhub changes through tasks; administrators are who may change them from
the console. Their password is stored only as a hash that the application's hasher made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from taskhub.domain.errors import InvalidAdministrator, InvalidUserData
from taskhub.domain.time import format_timestamp
from taskhub.domain.user_fields import TEXT_PATTERN, validate_user_fields

# OWASP ASVS 5.0 (6.2.1, 6.2.9): at least 12 characters, and at least 64 allowed; at most 128
# here, which bounds the work one login attempt can ask of the hasher.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


def password_problems(password: str) -> list[str]:
    """What is wrong with a new password: its length, or characters no keyboard types."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"Must be at least {MIN_PASSWORD_LENGTH} characters."]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [f"Must be at most {MAX_PASSWORD_LENGTH} characters."]
    if not TEXT_PATTERN.fullmatch(password):
        return ["Must not contain control characters or unpaired surrogates."]
    return []


def validate_administrator(username: str, email: str, password: str) -> dict[str, str]:
    """The username and email cleaned as a user's are; raise ``InvalidAdministrator`` naming
    every bad field (the password is checked, never returned)."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = validate_user_fields({"username": username, "email": email}, require_all=True)
    except InvalidUserData as invalid:
        errors.update(invalid.errors)
    if problems := password_problems(password):
        errors["password"] = problems
    if errors:
        raise InvalidAdministrator(errors)
    return {"username": cleaned["username"], "email": cleaned["email"]}


@dataclass(eq=False)
class Administrator:
    """An account of the console. Equality is by id; the username is unique."""

    id: UUID
    username: str
    email: str
    password_hash: str = field(repr=False)  # never in a log line, even as a hash
    created_at: datetime
    sessions_ended_at: datetime | None = None  # its latest sign-out: sessions before it end

    def end_sessions(self, now: datetime) -> None:
        """Sign out everywhere: every session signed in until ``now`` is over."""
        self.sessions_ended_at = now

    def holds_session_from(self, signed_in_at: datetime) -> bool:
        """Whether a session signed in at ``signed_in_at`` is still its own."""
        return self.sessions_ended_at is None or signed_in_at > self.sessions_ended_at

    def to_dict(self) -> dict[str, Any]:
        """The account as JSON-ready data: never its password hash."""
        return {
            "id": str(self.id),
            "username": self.username,
            "email": self.email,
            "created_at": format_timestamp(self.created_at),
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Administrator) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)
