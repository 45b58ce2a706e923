"""A PostgreSQL restart under a running API: the pool never hands out a connection it cut.

The engine checks a pooled connection's socket at checkout instead of pinging the server
(``engine._reconnect_if_closed``); this proves the check on a server of the test's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from taskhub.adapters.sqlalchemy import migrate
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.application.ports import TaskFilter
from taskhub.bootstrap import shut_down
from taskhub.entrypoints.http import create_app
from taskhub.settings import Settings
from taskhub.testing import user_fields
from tests.postgres_cluster import PostgresCluster, postgres_cluster

pytestmark = pytest.mark.slow
POOL_SIZE = 3


@pytest.fixture
def server() -> Iterator[PostgresCluster]:
    """A migrated PostgreSQL server of this test's own, which it may restart."""
    with postgres_cluster() as cluster:
        engine = build_engine(cluster.url)
        migrate.upgrade(engine)
        engine.dispose()
        yield cluster


def fill_pool(engine: Engine) -> None:
    """Leave ``POOL_SIZE`` connections idle in the pool, each one used once."""
    with ExitStack() as held:
        for _ in range(POOL_SIZE):
            held.enter_context(engine.connect()).execute(text("SELECT 1"))
    assert engine.pool.checkedin() == POOL_SIZE  # type: ignore[attr-defined]


def test_requests_after_a_restart_get_fresh_connections(server: PostgresCluster) -> None:
    settings = Settings(database_url=server.url, bus="inline", db_pool_size=POOL_SIZE)
    app = create_app(settings)
    container = app.extensions["taskhub"].container
    try:
        client: FlaskClient = app.test_client()
        where = client.post("/api/users/", json=user_fields()).headers["Location"]
        fill_pool(container.engine())
        server.restart()
        answers = [client.get(where).status_code for _ in range(POOL_SIZE + 1)]
        answers.append(client.post("/api/users/", json=user_fields()).status_code)
        assert answers == [200] * (POOL_SIZE + 1) + [202]
        with container.unit_of_work() as uow:
            assert uow.tasks.count(TaskFilter()) == 2
    finally:
        shut_down(container)
    assert server.log.read_text().count("ready to accept connections") == 2, "no restart"
