"""Email keys, user versions, and redispatch backoff.

- ``users.email_key``: the domain's folded form of the address, unique, in place of the index on
  ``lower(email)`` (SQLite's ``lower()`` folds ASCII only; PostgreSQL's is not Unicode folding).
- ``users.version``: a compare-and-set token, so that no write of a user can lose another's.
- ``tasks.redispatches`` and ``tasks.relay_after``: how often the relay handed a task on, and
  the earliest moment it may do so again (a wait that doubles with each redispatch).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 19:50:00
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

EMAIL_KEY_LENGTH = 762


def _email_key(email: str) -> str:
    """The domain's rule as of this revision (``taskhub.domain.user.email_key``), frozen here."""
    local, _, domain = email.strip().rpartition("@")
    normalized = f"{local}@{domain.lower()}" if local else email.strip()
    folded = unicodedata.normalize("NFKC", normalized).casefold()
    return unicodedata.normalize("NFKC", folded)


def _backfill_email_keys() -> None:
    """Give every user its key; refuse, naming them, addresses that the new rule makes one."""
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, email FROM users")).all()
    owners: dict[str, list[str]] = {}
    for _user_id, email in rows:
        owners.setdefault(_email_key(email), []).append(email)
    clashes = [emails for emails in owners.values() if len(emails) > 1]
    if clashes:
        raise RuntimeError(
            "These users' email addresses are one address under Unicode case folding; change all "
            f"but one of each group, then migrate again: {clashes}"
        )
    if rows:
        connection.execute(
            sa.text("UPDATE users SET email_key = :key WHERE id = :id"),
            [{"key": _email_key(email), "id": user_id} for user_id, email in rows],
        )


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(
            sa.Column("redispatches", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("relay_after", sa.DateTime(timezone=True), nullable=True))
    op.drop_index("uq_users_email_lower", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_key", sa.String(EMAIL_KEY_LENGTH), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
    _backfill_email_keys()
    with op.batch_alter_table("users") as batch:
        batch.alter_column("email_key", existing_type=sa.String(EMAIL_KEY_LENGTH), nullable=False)
        batch.create_unique_constraint(op.f("uq_users_email_key"), ["email_key"])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("uq_users_email_key"), type_="unique")
        batch.drop_column("version")
        batch.drop_column("email_key")
    op.create_index(
        "uq_users_email_lower", "users", [sa.literal_column("lower(email)")], unique=True
    )
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("relay_after")
        batch.drop_column("redispatches")
