"""Imperative mapping: the domain's dataclasses stay free of SQLAlchemy, which maps them here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import registry

from taskhub.adapters.sqlalchemy.tables import tasks, users
from taskhub.domain.task import Task
from taskhub.domain.user import User

mapper_registry = registry()


def _fresh_events(entity: Any, _context: Any) -> None:
    """Loaded rows skip ``__init__``; give them the unpublished-events list it would have made."""
    entity.events = []


def start_mappers() -> None:
    """Map User and Task once per process; safe to call again."""
    if mapper_registry.mappers:
        return
    mapper_registry.map_imperatively(User, users)
    mapper_registry.map_imperatively(Task, tasks, version_id_col=tasks.c.version)
    for entity in (User, Task):
        event.listen(entity, "load", _fresh_events)
