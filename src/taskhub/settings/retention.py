"""Settings of retention: how long finished tasks, keys and a deleted user's fields are kept."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from taskhub.settings.values import (
    Duration,
    PositiveDuration,
    setting,
)

# A batch is one short transaction: bounded so that a setting cannot make it a long one.
MAX_PURGE_BATCH = 10_000
SHORTEST_KEY_TTL = timedelta(hours=24)


def _a_day_at_least(span: timedelta) -> timedelta:
    if span < SHORTEST_KEY_TTL:
        raise ValueError("must be at least 24h, so a client's retry of a day ago is still known")
    return span


class RetentionSettings(BaseModel):
    """How long finished tasks, idempotency keys and a deleted user's fields are kept."""

    task_retention: PositiveDuration = setting(
        timedelta(days=30),
        "a finished task is deleted this long after it finished (`taskhub tasks purge`, and "
        "the relay's periodic purge); a duration: `30d`, `12h`, `90m`",
    )
    read_retention: PositiveDuration = setting(
        timedelta(days=1),
        "a finished read (`get_user`, `list_users`: copies of users) is deleted sooner: this "
        "long after it finished (or at `TASKHUB_TASK_RETENTION`, if shorter)",
    )
    redact_after: PositiveDuration = setting(
        timedelta(days=1),
        "how long after a user's deletion its finished tasks lose its personal fields",
    )
    idempotency_key_ttl: Annotated[PositiveDuration, AfterValidator(_a_day_at_least)] = setting(
        timedelta(hours=24),
        "how long an `Idempotency-Key` names its first request (and while its task runs); "
        "after that a new request may use it; at least `24h`, as the IETF draft asks; a purge "
        "keeps a task while its key names it",
    )
    purge_interval: Duration = setting(
        timedelta(minutes=10),
        "how often the relay (a thread of each `thread` process, else `taskhub relay`) purges "
        "and redacts; `0s`: never (`taskhub tasks purge` still does)",
    )
    purge_batch_size: Annotated[int, Field(ge=1, le=MAX_PURGE_BATCH)] = setting(
        500, f"tasks deleted or redacted per transaction of a purge (at most {MAX_PURGE_BATCH})"
    )
