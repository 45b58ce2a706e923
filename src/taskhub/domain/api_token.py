"""The API token: a bearer credential for the HTTP API, kept only as a digest of its secret.

A token's secret is 32 random bytes, shown once when it is made; the store keeps its SHA-256
digest. A slow password hash (argon2) protects what people choose and may repeat; a secret this
random cannot be guessed from its digest, so a fast one is as safe and costs a request nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from taskhub.domain.errors import InvalidApiToken
from taskhub.domain.time import format_timestamp
from taskhub.domain.user_fields import TEXT_PATTERN

SECRET_PREFIX = "thk_"  # says what a leaked string is, for secret scanners and people alike
HINT_LENGTH = len(SECRET_PREFIX) + 6
MAX_NAME_LENGTH = 100
# A token's last use is written at most this often: a write per request would double the work
# of a status poll.
LAST_USE_RESOLUTION = timedelta(minutes=1)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def validate_token_name(name: str) -> str:
    """The name trimmed; raise ``InvalidApiToken`` naming ``name`` if it says nothing."""
    cleaned = name.strip()
    if not cleaned:
        problems = ["Must say what the token is for, e.g. 'ci-deploy'."]
    elif len(cleaned) > MAX_NAME_LENGTH:
        problems = [f"Must be at most {MAX_NAME_LENGTH} characters."]
    elif not TEXT_PATTERN.fullmatch(cleaned):
        problems = ["Must not contain control characters or unpaired surrogates."]
    else:
        return cleaned
    raise InvalidApiToken({"name": problems})


@dataclass(eq=False)
class ApiToken:
    """A credential of the API: ``read_only`` ones may only read. ``hint`` is the start of its
    secret, so a person can tell which token a list row is; revoked, it is refused for good."""

    id: UUID
    name: str
    digest: str = field(repr=False)
    hint: str
    read_only: bool
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, writes: bool) -> bool:
        """Whether it may make a request that ``writes`` (or only reads)."""
        return self.is_active and not (writes and self.read_only)

    def revoke(self, now: datetime) -> None:
        """Refuse it from now on; revoking again keeps the first moment."""
        if self.revoked_at is None:
            self.revoked_at = now

    def note_use(self, now: datetime) -> bool:
        """Record a use at ``now`` if the last one recorded is older than the resolution; say
        whether that changed it (and so needs saving)."""
        if self.last_used_at is not None and now - self.last_used_at < LAST_USE_RESOLUTION:
            return False
        self.last_used_at = now
        return True

    def to_dict(self) -> dict[str, Any]:
        """The token as JSON-ready data: never its digest."""
        moments = {"created_at": self.created_at, "last_used_at": self.last_used_at,
                   "revoked_at": self.revoked_at}  # fmt: skip
        return {
            "id": str(self.id),
            "name": self.name,
            "hint": self.hint,
            "read_only": self.read_only,
            **{name: format_timestamp(m) if m else None for name, m in moments.items()},
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiToken) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)
