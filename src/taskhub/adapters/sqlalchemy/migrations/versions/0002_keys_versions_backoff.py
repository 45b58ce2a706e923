"""Email keys, user versions, and redispatch backoff.

- ``users.email_key``: the domain's folded form of the address, unique, in place of the index on
  ``lower(email)`` (SQLite's ``lower()`` folds ASCII only; PostgreSQL's is not Unicode folding).
- usernames in NFC, the form the domain now stores them in.
- ``users.version``: a compare-and-set token, so that no write of a user can lose another's.
- ``tasks.redispatches`` and ``tasks.relay_after``: how often the relay handed a task on, and
  the earliest moment it may do so again (a wait that doubles with each redispatch).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 19:50:00
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

EMAIL_KEY_LENGTH = 762


def _nfc(username: str) -> str:
    """The domain's username form as of this revision (``normalize_username``), frozen here."""
    return unicodedata.normalize("NFC", username)


def _email_key(email: str) -> str:
    """The domain's rule as of this revision (``taskhub.domain.user.email_key``), frozen here."""
    local, _, domain = email.strip().rpartition("@")
    normalized = f"{local}@{domain.lower()}" if local else email.strip()
    folded = unicodedata.normalize("NFKC", normalized).casefold()
    return unicodedata.normalize("NFKC", folded)


def _clashes(values: list[str], key: Callable[[str], str]) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for value in values:
        groups.setdefault(key(value), []).append(value)
    return [group for group in groups.values() if len(group) > 1]


def _backfill() -> None:
    """Give every user its email key and its NFC username; refuse, naming them, the addresses or
    names that the new rules make one."""
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, username, email FROM users")).all()
    for what, values, key in (
        ("email addresses are one address under Unicode case folding", [r[2] for r in rows],
         _email_key),
        ("usernames are one name in Unicode NFC", [r[1] for r in rows], _nfc),
    ):  # fmt: skip
        if clashes := _clashes(values, key):
            raise RuntimeError(
                f"These users' {what}; change all but one of each group, then migrate again: "
                f"{clashes}"
            )
    if rows:
        connection.execute(
            sa.text("UPDATE users SET email_key = :key, username = :name WHERE id = :id"),
            [{"key": _email_key(e), "name": _nfc(name), "id": uid} for uid, name, e in rows],
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
    _backfill()
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
