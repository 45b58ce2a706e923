"""Imperative mapping: the domain's dataclasses stay free of SQLAlchemy, which maps them here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import registry

from taskhub.adapters.sqlalchemy.tables import administrators, api_tokens, tasks, users
from taskhub.domain.administrator import Administrator
from taskhub.domain.api_token import ApiToken
from taskhub.domain.task import Task
from taskhub.domain.user import User
from taskhub.domain.user_fields import email_key

mapper_registry = registry()


def _fresh_events(entity: Any, _context: Any) -> None:
    """Loaded rows skip ``__init__``; give them the unpublished-events list it would have made."""
    entity.events = []


def _store_email_key(_mapper: Any, _connection: Any, user: User) -> None:
    """Keep the domain's folded form of the address beside it, for the unique index."""
    user._email_key = email_key(user.email)  # type: ignore[attr-defined]


def start_mappers() -> None:
    """Map User, Task and Administrator once per process; safe to call again."""
    if mapper_registry.mappers:
        return
    # The domain bumps ``User.version`` on every change (version_id_generator=False), so that even
    # a change that alters no column is an UPDATE ... WHERE version = <loaded>, like a DELETE.
    mapper_registry.map_imperatively(
        User,
        users,
        properties={"_email_key": users.c.email_key},
        version_id_col=users.c.version,
        version_id_generator=False,
    )
    event.listen(User, "before_insert", _store_email_key)
    event.listen(User, "before_update", _store_email_key)
    mapper_registry.map_imperatively(Task, tasks, version_id_col=tasks.c.version)
    mapper_registry.map_imperatively(Administrator, administrators)
    mapper_registry.map_imperatively(ApiToken, api_tokens)
    for entity in (User, Task):
        event.listen(entity, "load", _fresh_events)
