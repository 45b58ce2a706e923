"""Settings of the console: what signs its sessions, and how long a sign-in lasts."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, SecretStr, model_validator

from taskhub.settings.values import PositiveDuration, setting

# A key of 32 characters or more: what ``secrets.token_urlsafe(32)`` gives has 43.
MIN_SECRET_KEY_LENGTH = 32
LONGEST_SIGN_IN = timedelta(days=7)


def _a_week_at_most(span: timedelta) -> timedelta:
    if span > LONGEST_SIGN_IN:
        raise ValueError("must be at most 7d: a stolen cookie should not last longer")
    return span


class ConsoleSettings(BaseModel):
    """The console's sessions: the key that signs them, and how long one lasts."""

    secret_key: SecretStr = setting(
        SecretStr(""),
        "signs the console's session cookies and CSRF tokens (at least 32 characters, the same "
        "on every web process); unset, it is made once in the data directory on SQLite, and the "
        "console stays off on PostgreSQL",
        shown="(none)",
    )
    console_session_lifetime: Annotated[PositiveDuration, AfterValidator(_a_week_at_most)] = (
        setting(timedelta(hours=8), "how long a console sign-in lasts before it asks again")
    )

    @model_validator(mode="after")
    def _check_key(self) -> Self:
        """Checked here, as a rule of the group, so the refusal never quotes the key."""
        if 0 < len(self.secret_key.get_secret_value()) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(
                f"TASKHUB_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(32))' makes one)."
            )
        return self
