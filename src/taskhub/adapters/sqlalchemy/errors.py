"""Turning what the database says into the errors the application's ports promise."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import exc
from sqlalchemy.orm.exc import StaleDataError

from taskhub.application.ports import (
    ConcurrentUpdate,
    ConcurrentUserChange,
    StoreTimeout,
    StoreUnavailable,
)
from taskhub.domain.administrator import Administrator
from taskhub.domain.errors import (
    AdministratorExists,
    EmailTaken,
    IdempotencyKeyInFlight,
    InvalidUserData,
    UserAlreadyExists,
    UsernameTaken,
)
from taskhub.domain.task import Task
from taskhub.domain.user import User
from taskhub.settings.errors import SettingsError


class SchemaNotReady(StoreUnavailable):
    """The database's schema is not the one this taskhub needs: behind, half-built or unknown.

    A ``StoreUnavailable``, so that whatever meets it answers as for an outage (a 503, a task left
    to run later) rather than a 500; its message says what the operator has to run.
    """

    code = "schema_not_ready"


class DatabaseMissing(SchemaNotReady, SettingsError):
    """The database server answers, but the database the URL names does not exist there: a
    setting to correct (the process stops at start), not an outage to wait out."""

    code = "database_missing"


MISSING_DATABASE = re.compile(r'database "[^"]+" does not exist')


def missing_database(error: Exception, where: str) -> DatabaseMissing | None:
    """The refusal of a PostgreSQL server, on connecting, that has no database of that name."""
    cause = str(getattr(error, "orig", None) or error)
    if not isinstance(error, exc.OperationalError) or not MISSING_DATABASE.search(cause):
        return None
    return DatabaseMissing(
        f"The database {where} does not exist on its server: create it (createdb), or correct "
        "TASKHUB_DATABASE_URL."
    )


UNAVAILABLE = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError)
LOCK_TIMEOUT = (
    "lock_timeout",
    "The task waited too long for a lock that another transaction held (the database's lock "
    "timeout); nothing was changed.",
)
STATEMENT_TIMEOUT = (
    "statement_timeout",
    "A database statement of the task ran past the database's statement timeout and was "
    "cancelled; nothing was changed.",
)


def _timeout(error: Exception) -> StoreTimeout | None:
    """The store's own time limits: PostgreSQL's lock and statement timeouts, SQLite's busy one."""
    original = getattr(error, "orig", None)
    code = getattr(original, "pgcode", None)
    if code == "55P03":  # lock_not_available
        return StoreTimeout(*LOCK_TIMEOUT)
    if code == "57014" and "statement timeout" in str(original):  # query_canceled
        return StoreTimeout(*STATEMENT_TIMEOUT)
    if "database is locked" in str(original):  # SQLite, once its busy timeout ran out
        return StoreTimeout(*LOCK_TIMEOUT)
    return None


E = TypeVar("E", User, Task, Administrator)


def _constraint(error: exc.IntegrityError) -> str:
    """The violated constraint's name (PostgreSQL says it; SQLite names the columns instead)."""
    diag = getattr(error.orig, "diag", None)
    return getattr(diag, "constraint_name", None) or str(error.orig)


def _first(seen: Sequence[object], kind: type[E], attribute: str) -> Any:
    """An attribute of the ``kind`` of entity the unit of work touched (one, by design).

    Read from the instance's own dict: after a failed flush, attribute access could try to load.
    """
    entity = next(entity for entity in seen if isinstance(entity, kind))
    return vars(entity).get(attribute)


def _integrity(error: exc.IntegrityError, seen: Sequence[object]) -> Exception:
    name = _constraint(error)
    if "uq_users_username" in name or "users.username" in name:
        return UsernameTaken(_first(seen, User, "username"))
    if "uq_users_email_key" in name or "users.email_key" in name:
        return EmailTaken(_first(seen, User, "email"))
    if "uq_tasks_idempotency_key" in name or "tasks.idempotency_key" in name:
        return IdempotencyKeyInFlight(str(_first(seen, Task, "idempotency_key")))
    if "uq_administrators_username" in name or "administrators.username" in name:
        return AdministratorExists(_first(seen, Administrator, "username"))
    if "pk_users" in name or "users.id" in name:
        return UserAlreadyExists(_first(seen, User, "id"))
    if "pk_tasks" in name or "tasks.id" in name:
        return ConcurrentUpdate(_first(seen, Task, "id"))
    return error


def _stale(error: StaleDataError, seen: Sequence[object]) -> Exception:
    """A versioned UPDATE or DELETE matched no row: another unit of work saved or deleted it."""
    if "'users'" in str(error):
        return ConcurrentUserChange(_first(seen, User, "id"))
    return ConcurrentUpdate(_first(seen, Task, "id"))


@contextmanager
def translated(seen: Sequence[object]) -> Iterator[None]:
    """Raise the ports' errors in place of SQLAlchemy's, keeping the original as the cause.

    ``seen`` is what the unit of work loaded or added, to name the entity a constraint refused.
    """
    try:
        yield
    except exc.IntegrityError as error:
        raise _integrity(error, seen) from error
    except StaleDataError as error:
        raise _stale(error, seen) from error
    except exc.DataError as error:  # a value the store cannot hold, though the domain allowed it
        refused = ["The database cannot store a value of this request."]
        raise InvalidUserData({"data": refused}) from error
    except UNAVAILABLE as error:
        unavailable = StoreUnavailable("The database cannot be reached; nothing was saved.")
        raise (_timeout(error) or unavailable) from error
