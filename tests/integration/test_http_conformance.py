"""schemathesis against the API on PostgreSQL, where the store can refuse what memory accepts.

Whatever it sends that PostgreSQL cannot hold must be refused as a 4xx or fail its task with a
reason, never answer 500 (the cases found so far, a NUL and a page past 64-bit offsets, have tests
of their own in the contract and store suites). Idempotency keys are left to the in-memory run
(``tests/http/test_openapi_conformance.py``): generated twice for different bodies, they are
rightly refused, which no schema can describe.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import uuid4

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import Case

from taskhub.adapters.sqlalchemy import migrate
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.application.paging import Position, cursor_for
from taskhub.bootstrap import shut_down
from taskhub.entrypoints.http import create_app
from tests.databases import throwaway_postgres_database
from tests.http.apps import memory_settings, published_document

SEED = 20250318
schema = schemathesis.openapi.from_dict(published_document(), config=schemathesis.Config(seed=SEED))


@pytest.fixture(scope="module")
def postgres_app() -> Iterator[Flask]:
    """The API on a PostgreSQL database of its own; tasks run inline as they are submitted."""
    with throwaway_postgres_database("taskhub_api") as url:
        engine = build_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        app = create_app(memory_settings(database_url=url))
        yield app
        shut_down(app.extensions["taskhub"].container)


@schema.parametrize()
@settings(max_examples=30, database=None, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_contract_on_postgresql(case: Case, postgres_app: Flask) -> None:
    if case.headers:
        case.headers.pop("Idempotency-Key", None)
    if case.query and "cursor" in case.query:  # valid only as a page gave it (tests/http)
        case.query["cursor"] = cursor_for(Position(datetime.now(UTC), uuid4()))
    case.call_and_validate(app=postgres_app)
