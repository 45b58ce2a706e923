"""The sessions units of work run on, with their listeners registered once, on the class.

Registering a listener on each new session (``event.listen(session, …)``) cost a worker 6-8% of
its CPU per task, one unit of work at a time (issue 14's profile); on the class it costs nothing
per session. A unit of work made ``read_only`` says so in ``Session.info``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.attributes import flag_modified

from taskhub.application.ports import WriteWhileReading
from taskhub.domain.task import Task

READING = "taskhub_read_only"


class UnitOfWorkSession(Session):
    """A session of ``SqlAlchemyUnitOfWork`` (``store.session_factory`` makes them)."""


@event.listens_for(UnitOfWorkSession, "before_flush")
def _write_relay_bookkeeping(session: Session, *_: Any) -> None:
    """Before every flush: a saved task writes its relay columns even if they look unchanged.
    The relay may have noted a redispatch since it was loaded (keeping the version, see
    ``record_redispatch``), and a claim must clear that, as the in-memory store's save does
    (``saved_over``)."""
    for entity in session.dirty:
        if isinstance(entity, Task) and session.is_modified(entity):
            flag_modified(entity, "redispatches")
            flag_modified(entity, "relay_after")


@event.listens_for(UnitOfWorkSession, "do_orm_execute")
def _refuse_writes(state: ORMExecuteState) -> None:
    """Before a read-only unit of work's statement: only a SELECT may go."""
    if state.session.info.get(READING) and not state.is_select:
        raise WriteWhileReading
