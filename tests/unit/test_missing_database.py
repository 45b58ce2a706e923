"""Only a server's "database ... does not exist" on connecting is a missing database: a role or a
relation that does not exist is something else, and must not be told to run createdb."""

from __future__ import annotations

import pytest
from sqlalchemy import exc

from taskhub.adapters.sqlalchemy.errors import DatabaseMissing, missing_database


def refusal(text: str, kind: type[exc.DBAPIError] = exc.OperationalError) -> exc.DBAPIError:
    return kind("connect", {}, Exception(text))


def test_a_missing_database_is_told_apart() -> None:
    found = missing_database(refusal('FATAL:  database "taskhub" does not exist'), "taskhub")
    assert isinstance(found, DatabaseMissing)
    assert isinstance(found, ValueError)  # a SettingsError: the process stops, exit 2


@pytest.mark.parametrize(
    "error",
    [
        refusal('FATAL:  role "database_admin" does not exist'),
        refusal('relation "database_log" does not exist', exc.ProgrammingError),
        refusal('relation "x" does not exist LINE 1: SELECT current_database() FROM x'),
    ],
)
def test_what_is_not_a_missing_database_is_not_called_one(error: exc.DBAPIError) -> None:
    assert missing_database(error, "taskhub") is None
