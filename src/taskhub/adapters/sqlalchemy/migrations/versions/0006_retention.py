"""Retention: when a task was redacted, and the index old finished tasks are found by.

- ``tasks.redacted_at``: when a deleted user's personal fields were taken out of the task.
- ``ix_tasks_operation_status_updated_at``: a finished task's ``updated_at`` is when it
  finished, so each purge batch (finished tasks of some operations, finished before a moment)
  and each look for users deleted long enough ago is a range of it.

Building the index locks writes to ``tasks`` while it runs: on a large table, build it first
without that lock (``CREATE INDEX CONCURRENTLY ix_tasks_operation_status_updated_at ON tasks
(operation, status, updated_at)``) and this revision keeps it (``IF NOT EXISTS``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEX = "ix_tasks_operation_status_updated_at"


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        INDEX, "tasks", ["operation", "status", "updated_at"], unique=False, if_not_exists=True
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="tasks")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("redacted_at")
