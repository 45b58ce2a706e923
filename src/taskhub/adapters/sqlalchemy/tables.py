"""The schema, in SQLAlchemy Core. Alembic migrations create it; a test keeps the two in step."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Enum,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    TypeDecorator,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

from taskhub.domain.task import Operation, TaskName, TaskStatus
from taskhub.domain.user_fields import EMAIL_KEY_MAX_LENGTH

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)
REQUEST_ID_LENGTH = 128  # the longest X-Request-ID the HTTP API keeps


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, also on SQLite, which keeps no zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Timestamps must be timezone-aware.")
        return value.astimezone(UTC).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JsonDocument = JSON().with_variant(JSONB(), "postgresql")


def _enum(kind: type[Any]) -> Enum:
    return Enum(
        kind,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


users = Table(
    "users",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("username", String(150), nullable=False, unique=True),
    Column("email", String(254), nullable=False),
    Column("first_name", String(150), nullable=False, default=""),
    Column("last_name", String(150), nullable=False, default=""),
    Column("is_active", Boolean(), nullable=False, default=True),
    Column("date_joined", UtcDateTime(), nullable=False),
    # The domain's ``email_key`` (case- and Unicode-folded): one rule for every store's index.
    Column("email_key", String(EMAIL_KEY_MAX_LENGTH), nullable=False, unique=True),
    Column("version", Integer(), nullable=False, server_default="0"),
    Index("ix_users_date_joined_id", "date_joined", "id"),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("status", _enum(TaskStatus), nullable=False),
    Column("task_name", _enum(TaskName), nullable=False),
    Column("operation", _enum(Operation), nullable=False),
    Column("related_table", String(64), nullable=False),
    Column("related_id", Uuid(), nullable=True),
    Column("input_data", JsonDocument, nullable=False),
    Column("result", JsonDocument, nullable=True),
    Column("progress", SmallInteger(), nullable=False),
    Column("attempt", Integer(), nullable=False),
    Column("lease_expires_at", UtcDateTime(), nullable=True),
    Column("idempotency_key", String(255), nullable=True, unique=True),
    Column("request_fingerprint", String(128), nullable=True),
    Column("version", Integer(), nullable=False),
    Column("redispatches", Integer(), nullable=False, server_default="0"),
    Column("relay_after", UtcDateTime(), nullable=True),
    Column("cancel_requested_at", UtcDateTime(), nullable=True),
    # Ids, not foreign keys: a task purged by retention may leave a link to nothing.
    Column("retry_of", Uuid(), nullable=True),
    Column("retried_by", Uuid(), nullable=True),
    Column("request_id", String(REQUEST_ID_LENGTH), nullable=True),
    Column("redacted_at", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # The list's: one per filter, each in the list's order, so a page is one range (0010).
    Index("ix_tasks_created_at_id", "created_at", "id"),
    Index("ix_tasks_status_created_at_id", "status", "created_at", "id"),
    Index("ix_tasks_operation_created_at_id", "operation", "created_at", "id"),
    Index("ix_tasks_task_name_created_at_id", "task_name", "created_at", "id"),
    Index("ix_tasks_related_id_created_at_id", "related_id", "created_at", "id"),
    Index("ix_tasks_related_table_related_id", "related_table", "related_id"),
    # Retention's: old finished tasks of a kind (purge), users deleted long enough (redaction).
    Index("ix_tasks_operation_status_updated_at", "operation", "status", "updated_at"),
)

administrators = Table(
    "administrators",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("username", String(150), nullable=False, unique=True),
    Column("email", String(254), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sessions_ended_at", UtcDateTime(), nullable=True),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),  # a request's one lookup
    Column("hint", String(16), nullable=False),
    Column("read_only", Boolean(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_used_at", UtcDateTime(), nullable=True),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

# The processes that run or relay tasks, as last seen (``application.presence``).
workers = Table(
    "workers",
    metadata,
    Column("name", String(300), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("host", String(255), nullable=False),
    Column("pid", Integer(), nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
)
