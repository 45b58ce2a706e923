"""The request that submitted a task: ``tasks.request_id``, for the logs of every process.

The HTTP API takes it from ``X-Request-ID`` (or makes one) and the runner's log lines carry it.
Tasks submitted before this revision, or not over HTTP, have none.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REQUEST_ID_LENGTH = 128


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("request_id", sa.String(REQUEST_ID_LENGTH), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("request_id")
