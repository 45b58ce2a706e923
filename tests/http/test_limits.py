"""Limits for browsers and abusive clients: CORS for the configured origins, and a per-client
rate limit on /api/ that answers 429 problem+json with Retry-After (never on health checks)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from taskhub.bootstrap import shut_down
from taskhub.entrypoints.http import create_app
from tests.http.apps import memory_settings
from tests.processes import RedisServer

SITE = "https://console.example.com"


@pytest.fixture
def make_app() -> Iterator[Any]:
    apps: list[Flask] = []

    def make(**settings: Any) -> FlaskClient:
        apps.append(create_app(memory_settings(**settings)))
        return apps[-1].test_client()

    yield make
    for app in apps:
        shut_down(app.extensions["taskhub"].container)


def from_client(address: str) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_a_client_over_its_limit_gets_429_problem_json_with_retry_after(make_app: Any) -> None:
    client = make_app(rate_limit="3/minute")
    answers = [client.get("/api/tasks/", **from_client("10.0.0.1")) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["X-RateLimit-Remaining"] == "2"
    refused = answers[-1]
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json["code"] == "rate_limited"
    assert "3 per 1 minute" in refused.json["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    other = client.get("/api/tasks/", **from_client("10.0.0.2"))
    assert other.status_code == 200  # each client has its own count


def test_health_checks_and_the_api_document_are_never_limited(make_app: Any) -> None:
    client = make_app(rate_limit="1/minute")
    assert client.get("/api/tasks/").status_code == 200
    assert client.get("/api/tasks/").status_code == 429
    for path in ("/healthz", "/readyz", "/api/openapi.json", "/api/docs"):
        assert {client.get(path).status_code for _ in range(3)} == {200}, path


def test_behind_a_proxy_the_forwarded_address_is_the_client(make_app: Any) -> None:
    client = make_app(rate_limit="1/minute", forwarded_hops=1)
    proxy = from_client("10.0.0.254")
    for address, status in (("203.0.113.1", 200), ("203.0.113.2", 200), ("203.0.113.1", 429)):
        answer = client.get("/api/tasks/", headers={"X-Forwarded-For": address}, **proxy)
        assert answer.status_code == status, address


def test_without_trusted_proxies_a_forwarded_header_changes_nothing(make_app: Any) -> None:
    client = make_app(rate_limit="1/minute")
    assert client.get("/api/tasks/", headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 200
    assert client.get("/api/tasks/", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 429


def test_an_allowed_origin_may_call_the_api_and_read_its_headers(make_app: Any) -> None:
    client = make_app(cors_origins=f"{SITE}, https://other.example.com")
    preflight = client.options(
        "/api/users/",
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type, Idempotency-Key",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == SITE
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert {"content-type", "idempotency-key"} <= {h.strip() for h in allowed.split(",")}
    created = client.post(
        "/api/users/",
        json={"username": "ada", "email": "ada@example.com"},
        headers={"Origin": SITE},
    )
    assert created.status_code == 202
    assert created.headers["Access-Control-Allow-Origin"] == SITE
    assert "Location" in created.headers["Access-Control-Expose-Headers"]


def test_other_origins_and_the_default_get_no_cors_headers(make_app: Any) -> None:
    allowing = make_app(cors_origins=SITE)
    stranger = allowing.get("/api/tasks/", headers={"Origin": "https://evil.example.net"})
    assert "Access-Control-Allow-Origin" not in stranger.headers
    default = make_app()
    assert (
        "Access-Control-Allow-Origin"
        not in default.get("/api/tasks/", headers={"Origin": SITE}).headers
    )


def test_a_submission_keeps_its_own_retry_after_under_a_limit(make_app: Any) -> None:
    client = make_app(rate_limit="100/minute;2000/hour")
    accepted = client.post("/api/users/", json={"username": "ada", "email": "ada@example.com"})
    assert accepted.status_code == 202
    assert accepted.headers["Retry-After"] == "1"  # the polling hint, not the window's end
    assert accepted.headers["X-RateLimit-Limit"] == "100"
    assert "Retry-After" not in client.get("/api/tasks/").headers


def test_preflights_are_neither_limited_nor_counted(make_app: Any) -> None:
    client = make_app(rate_limit="2/minute", cors_origins=SITE)
    preflight = {"Origin": SITE, "Access-Control-Request-Method": "POST"}
    answers = [client.options("/api/users/", headers=preflight) for _ in range(5)]
    assert {a.status_code for a in answers} == {200}
    assert [client.get("/api/tasks/").status_code for _ in range(3)] == [200, 200, 429]


def test_a_redis_that_hangs_does_not_hang_the_requests(
    make_app: Any, private_redis: RedisServer
) -> None:
    client = make_app(rate_limit="5/minute", rate_limit_storage_url=private_redis.url)
    assert client.get("/api/tasks/").status_code == 200
    os.kill(private_redis.pid, signal.SIGSTOP)
    pool = ThreadPoolExecutor(1)
    try:
        answer = pool.submit(client.get, "/api/tasks/").result(timeout=30)
    finally:
        os.kill(private_redis.pid, signal.SIGCONT)  # frees a request that hung, if one did
        pool.shutdown()
    assert answer.status_code == 200
