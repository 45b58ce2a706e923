"""Cancel and retry: when a cancel was asked, and the links between a task and its retry.

- ``tasks.cancel_requested_at``: when a client asked to cancel the task. Every CANCELLED task
  has it; a DONE or FAILED one with it is one whose cancel came too late.
- ``tasks.retry_of`` and ``tasks.retried_by``: the task a retry submitted again, and the one
  retry of a FAILED or CANCELLED task. Ids, not foreign keys, so that deleting old tasks never
  has to follow the chain.
- ``CANCELLED`` joins the statuses. ``tasks.status`` is a VARCHAR(32) (a non-native enum with
  no CHECK constraint), so no statement changes it. Code older than this revision cannot read a
  CANCELLED task, so stop it before the first cancel (migrate, then start the new processes, as
  every release asks); a downgrade turns CANCELLED tasks FAILED,
  the status the older code knows for a task that did not do its work (their result keeps the
  code ``cancelled``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(
            sa.Column("cancel_requested_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("retry_of", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("retried_by", sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.execute("UPDATE tasks SET status = 'FAILED' WHERE status = 'CANCELLED'")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("retried_by")
        batch.drop_column("retry_of")
        batch.drop_column("cancel_requested_at")
