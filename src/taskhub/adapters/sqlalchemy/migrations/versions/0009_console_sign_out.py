"""Console sign-out that holds: when each administrator last signed out, so that a copy of a
session cookie made before then is refused.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("administrators") as table:
        table.add_column(sa.Column("sessions_ended_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("administrators") as table:
        table.drop_column("sessions_ended_at")
