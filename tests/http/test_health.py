"""``/healthz`` says the process answers; ``/readyz`` that its database and bus answer too."""

from __future__ import annotations

from dependency_injector import providers
from flask.testing import FlaskClient

from taskhub.bootstrap import Container
from tests.http.apps import UnreachableStore


class SilentBroker:
    """A bus (the port's fake) whose broker does not answer its ping."""

    def dispatch(self, task_id: object) -> None:
        raise AssertionError("nothing is dispatched by a readiness check")

    def ping(self) -> None:
        raise ConnectionError("broker at amqp://guest:secret@mq is down")


def test_healthz_answers_while_the_process_is_up(client: FlaskClient) -> None:
    assert (client.get("/healthz").status_code, client.get("/healthz").json) == (
        200,
        {"status": "ok"},
    )


def test_readyz_checks_the_database_and_the_bus(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {"database": "ok", "bus": "ok"}}


def test_readyz_is_a_503_problem_when_the_store_is_unreachable(
    client: FlaskClient, container: Container
) -> None:
    container.unit_of_work.override(providers.Factory(UnreachableStore))
    response = client.get("/readyz")
    assert (response.status_code, response.mimetype) == (503, "application/problem+json")
    assert list(response.json["errors"]) == ["database"]
    assert "secret" not in response.text
    assert client.get("/healthz").status_code == 200


def test_readyz_is_a_503_problem_when_the_broker_does_not_answer(
    client: FlaskClient, container: Container
) -> None:
    container.task_bus.override(providers.Object(SilentBroker()))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert list(response.json["errors"]) == ["bus"]
    assert "secret" not in response.text
