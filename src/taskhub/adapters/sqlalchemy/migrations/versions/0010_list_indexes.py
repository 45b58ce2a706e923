"""The task list's indexes: one per filter, each ending in the list's order (created_at, id), so
that every page of every filter, the first and the deepest alike, is one range of an index read
in order (keyset paging, ``application.paging``): no sort, no scan of the table.

- ``ix_tasks_status_created_at_id`` and ``ix_tasks_task_name_created_at_id`` replace the indexes
  without ``id`` that 0001 made (the list's ties on ``created_at`` are broken by ``id``);
- ``ix_tasks_operation_created_at_id`` and ``ix_tasks_related_id_created_at_id`` are new.

Building an index locks writes to ``tasks`` while it runs: on a large table, build them first
without that lock (``CREATE INDEX CONCURRENTLY ix_tasks_status_created_at_id ON tasks (status,
created_at, id)``, and likewise each of ``INDEXES``) and this revision keeps them
(``IF NOT EXISTS``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 12:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_tasks_status_created_at_id": ["status", "created_at", "id"],
    "ix_tasks_operation_created_at_id": ["operation", "created_at", "id"],
    "ix_tasks_task_name_created_at_id": ["task_name", "created_at", "id"],
    "ix_tasks_related_id_created_at_id": ["related_id", "created_at", "id"],
}
REPLACED = {
    "ix_tasks_status_created_at": ["status", "created_at"],
    "ix_tasks_task_name_created_at": ["task_name", "created_at"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "tasks", columns, unique=False, if_not_exists=True)
    for name in REPLACED:
        op.drop_index(name, table_name="tasks")


def downgrade() -> None:
    for name, columns in REPLACED.items():
        op.create_index(name, "tasks", columns, unique=False)
    for name in INDEXES:
        op.drop_index(name, table_name="tasks")
