"""Each request has an id (the client's X-Request-ID, or a fresh one), echoed and carried by the
task it submits; one log line; and counts on /metrics by route template, never by raw path."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from dependency_injector import providers
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from taskhub.bootstrap import Container
from taskhub.testing import HeldBus, ManualClock, user_fields
from tests.http.apps import THREADED, UnreachableStore
from tests.logs import Line, events, json_lines, logged, personal_values

Lines = Callable[[], list[Line]]
STREAM = {"method": "GET", "route": "/api/tasks/<uuid:task_id>/events"}
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def lines() -> Iterator[Lines]:
    """Every JSON line this test logs, through taskhub's handler."""
    with json_lines() as read:
        yield read


def scrape(client: FlaskClient, accept: str | None = None) -> Samples:
    page = client.get("/metrics", headers={"Accept": accept} if accept else {})
    assert page.status_code == 200
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(page.get_data(as_text=True))
        for s in family.samples
    }


def requests_of(samples: Samples, **labels: str) -> float:
    return samples.get(("taskhub_http_requests_total", frozenset(labels.items())), 0.0)


@pytest.mark.parametrize("given", ["req-1", "3f0c2a6e-51a4-4c7e-9f0e-93a8d3a1b2c4", "a" * 128])
def test_a_request_id_the_client_gives_is_echoed_and_kept_on_its_task(
    client: FlaskClient, container: Container, given: str
) -> None:
    answer = client.post("/api/users/", json=user_fields(), headers={"X-Request-ID": given})
    assert answer.headers["X-Request-ID"] == given
    task = container.service().get(UUID(answer.get_json()["task_id"]))
    assert task.request_id == given


def test_a_retry_keeps_the_request_id_of_the_request_that_asked_for_it(
    client: FlaskClient, container: Container
) -> None:
    failed = client.get(f"/api/users/{uuid4()}/", headers={"X-Request-ID": "r-first"})
    first = UUID(failed.get_json()["task_id"])
    answer = client.post(f"/api/tasks/{first}/retry/", headers={"X-Request-ID": "r-retry"})
    assert (answer.status_code, answer.headers["X-Request-ID"]) == (202, "r-retry")
    retry = container.service().get(UUID(answer.get_json()["task_id"]))
    assert (retry.retry_of, retry.request_id) == (first, "r-retry")
    assert container.service().get(first).request_id == "r-first"


def test_a_cancel_is_one_line_and_counted_as_cancelled(
    client: FlaskClient, held_bus: HeldBus, lines: Lines
) -> None:
    created = client.post("/api/users/", json=user_fields(), headers={"X-Request-ID": "r-sub"})
    task_id = created.get_json()["task_id"]
    before = scrape(client)
    cancelled = {"task_name": "create_user", "operation": "CREATE", "status": "CANCELLED"}
    key = ("taskhub_tasks_finished_total", frozenset({**cancelled, "code": "cancelled"}.items()))
    client.post(f"/api/tasks/{task_id}/cancel/", headers={"X-Request-ID": "r-cancel"})
    assert scrape(client).get(key, 0.0) == before.get(key, 0.0) + 1
    (line,) = events(lines(), "task.cancelled", task_id=task_id)
    assert (line["request_id"], line["code"]) == ("r-sub", "cancelled")  # the task's request
    assert events(lines(), "http.request", request_id="r-cancel", status=200)


@pytest.mark.parametrize("given", [None, "", "a" * 129, "two words", "caf\u00e9", "x\ty"])
def test_a_missing_or_unfit_request_id_is_replaced_by_a_fresh_one(
    client: FlaskClient, given: str | None
) -> None:
    headers = {} if given is None else {"X-Request-ID": given}
    made = {client.get("/healthz", headers=headers).headers["X-Request-ID"] for _ in range(2)}
    assert len(made) == 2
    assert all(len(made_id) == 32 and int(made_id, 16) >= 0 for made_id in made)


def test_errors_echo_the_request_id_too(client: FlaskClient) -> None:
    for answer in (
        client.get("/api/nowhere/", headers={"X-Request-ID": "r-404"}),
        client.post("/api/users/", json={}, headers={"X-Request-ID": "r-422"}),
    ):
        assert answer.headers["X-Request-ID"] == f"r-{answer.status_code}"


def test_each_request_is_one_line_with_its_route_and_no_personal_field(
    client: FlaskClient, lines: Lines
) -> None:
    fields = user_fields(first_name="Ada", last_name="Lovelace")
    created = client.post("/api/users/", json=fields, headers={"X-Request-ID": "r-1"})
    task_id = created.get_json()["task_id"]
    client.get(f"/api/tasks/{task_id}/?unknown=1", headers={"X-Request-ID": "r-2"})
    first, second = events(lines(), "http.request")
    assert first | {"method": "POST", "path": "/api/users/", "status": 202} == first
    assert (first["route"], first["request_id"]) == ("/api/users/", "r-1")
    assert (second["route"], second["status"]) == ("/api/tasks/<uuid:task_id>/", 422)
    assert second["path"] == f"/api/tasks/{task_id}/"  # the query string is never logged
    assert events(lines(), "task.submitted", request_id="r-1")
    logged = json.dumps(lines())
    assert not [value for value in personal_values(fields) if value in logged]


def test_a_path_a_client_wrote_is_logged_as_its_route_and_forges_no_line(
    client: FlaskClient,
) -> None:
    forged = "2026-01-01 00:00:00,000 INFO taskhub.http forged request_id=admin"
    with logged("text") as text:
        client.get(f"/api/users/x%0A{forged}/")  # matches no route
        client.get("/api/users/ada.lovelace@example.com/")
        client.get("/static/ada.lovelace@example.com")  # a route, but a path any client writes
    written = text().splitlines()
    assert len(written) == 3
    assert all(" taskhub.http GET " in line for line in written)
    assert [line.split()[5] for line in written] == ["(unmatched)"] * 2 + [
        "/static/<path:filename>"
    ]
    assert "ada.lovelace" not in text()


def test_a_stream_is_logged_and_timed_when_it_ends(
    client: FlaskClient, container: Container, held_bus: HeldBus, lines: Lines
) -> None:
    task_id = client.post("/api/users/", json=user_fields()).get_json()["task_id"]
    timed = ("taskhub_http_request_duration_seconds_count", frozenset(STREAM.items()))
    before = scrape(client).get(timed, 0.0)
    stream = client.get(f"/api/tasks/{task_id}/events", headers={"X-Request-ID": "r-sse"},
                        buffered=False, environ_overrides=THREADED)  # fmt: skip
    chunks = iter(stream.response)
    next(chunks)  # it has begun, and goes on until the task ends: nothing is recorded yet
    begun = time.perf_counter()
    assert not events(lines(), "http.request", request_id="r-sse")
    assert scrape(client).get(timed, 0.0) == before
    container.service().run(UUID(task_id))
    assert "event: end" in "".join(chunk.decode() for chunk in chunks)
    ended = time.perf_counter()
    stream.close()  # what the server does once the last chunk is sent
    (line,) = events(lines(), "http.request", request_id="r-sse")
    assert line | {"route": STREAM["route"], "status": 200} == line
    assert line["duration_ms"] >= round((ended - begun) * 1000, 1)
    assert scrape(client).get(timed, 0.0) == before + 1


def test_metrics_count_requests_by_route_template_method_and_status(client: FlaskClient) -> None:
    before = scrape(client)
    user_id = uuid4()
    client.get(f"/api/users/{user_id}/")
    client.open("/healthz", method="BREW")
    after = scrape(client)
    read = {"method": "GET", "route": "/api/users/<uuid:user_id>/", "status": "202"}
    assert requests_of(after, **read) == requests_of(before, **read) + 1
    brewed = {"method": "other", "route": "(unmatched)", "status": "405"}
    assert requests_of(after, **brewed) == requests_of(before, **brewed) + 1
    assert not [key for key in after if str(user_id) in str(key)]


def test_metrics_show_the_backlog_from_the_store(
    client: FlaskClient, container: Container, held_bus: HeldBus
) -> None:
    clock = ManualClock()
    container.clock.override(providers.Object(clock))
    client.post("/api/users/", json=user_fields())
    clock.advance(timedelta(seconds=30))
    client.post("/api/users/", json=user_fields())  # younger: the oldest is the first
    clock.advance(timedelta(seconds=60))
    samples = scrape(client)
    assert samples[("taskhub_tasks_pending", frozenset())] == 2
    assert samples[("taskhub_tasks_processing", frozenset())] == 0
    assert samples[("taskhub_oldest_pending_task_age_seconds", frozenset())] == 90


def test_metrics_answer_without_the_backlog_while_the_store_is_down(
    client: FlaskClient, container: Container
) -> None:
    container.unit_of_work.override(providers.Factory(UnreachableStore))
    try:
        samples = scrape(client)
    finally:
        container.unit_of_work.reset_override()
    assert ("taskhub_tasks_pending", frozenset()) not in samples
    assert any(name == "taskhub_http_requests_total" for name, _ in samples)


def test_metrics_speak_openmetrics_when_asked(client: FlaskClient) -> None:
    page = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert page.headers["Content-Type"].startswith("application/openmetrics-text")
    assert page.get_data(as_text=True).endswith("# EOF\n")
    assert client.get("/metrics").headers["Content-Type"].startswith("text/plain; version=0.0.4")
