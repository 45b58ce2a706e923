"""Settings of retention: how long finished tasks, keys and a deleted user's fields are kept."""

from __future__ import annotations

from datetime import timedelta

from pydantic import (
    BaseModel,
)

from taskhub.settings.values import (
    AtLeastOne,
    Duration,
    PositiveDuration,
    setting,
)


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
    idempotency_key_ttl: PositiveDuration = setting(
        timedelta(hours=24),
        "how long an `Idempotency-Key` names its first request (and while its task runs); "
        "after that a new request may use it",
    )
    purge_interval: Duration = setting(
        timedelta(minutes=10),
        "how often the relay (a thread of each `thread` process, else `taskhub relay`) purges "
        "and redacts; `0s`: never (`taskhub tasks purge` still does)",
    )
    purge_batch_size: AtLeastOne = setting(
        500, "tasks deleted or redacted per transaction of a purge"
    )
