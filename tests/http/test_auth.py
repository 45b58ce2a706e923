"""Bearer tokens on the API when ``TASKHUB_AUTH=required``: 401 without a valid token (missing,
malformed, unknown, revoked), 403 for a read-only token's change, and what stays open."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from taskhub.application.tokens import ApiTokens
from taskhub.bootstrap import shut_down
from taskhub.entrypoints.http import create_app
from taskhub.testing import user_fields
from tests.http.apps import memory_settings


@pytest.fixture
def guarded() -> Iterator[Flask]:
    """The API over an in-memory store, with tokens required."""
    app = create_app(memory_settings(auth="required", cors_origins="https://app.example"))
    yield app
    shut_down(app.extensions["taskhub"].container)


@pytest.fixture
def tokens(guarded: Flask) -> ApiTokens:
    """The tokens of ``guarded``'s store."""
    found: ApiTokens = guarded.extensions["taskhub"].container.api_tokens()
    return found


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize(
    ("headers", "code", "challenge"),
    [
        ({}, "authentication_required", 'Bearer realm="taskhub"'),
        ({"Authorization": "Basic YWRhOnNlY3JldA=="}, "authentication_required", None),
        ({"Authorization": "Bearer "}, "authentication_required", None),
        (bearer("thk_no"), "invalid_token", 'Bearer realm="taskhub", error="invalid_token"'),
    ],
)  # fmt: skip
def test_a_request_without_a_valid_token_is_401_saying_how_to_authenticate(
    guarded: Flask, headers: dict[str, str], code: str, challenge: str | None
) -> None:
    client = guarded.test_client()
    for answer in (
        client.get("/api/tasks/", headers=headers),
        client.post("/api/users/", json=user_fields(), headers=headers),
    ):
        assert answer.status_code == 401
        assert answer.mimetype == "application/problem+json"
        assert answer.json["code"] == code
        assert answer.headers["WWW-Authenticate"] == (challenge or 'Bearer realm="taskhub"')
    assert client.get("/api/tasks/", headers=bearer("x")).json["code"] == "invalid_token"


def test_a_valid_token_is_let_through_and_a_revoked_one_is_not(
    guarded: Flask, tokens: ApiTokens
) -> None:
    client, issued = guarded.test_client(), tokens.create("ci")
    accepted = client.post("/api/users/", json=user_fields(), headers=bearer(issued.secret))
    assert accepted.status_code == 202
    assert (
        client.get(accepted.json["status_endpoint"], headers=bearer(issued.secret)).json["status"]
        == "DONE"
    )
    tokens.revoke(issued.token.id)
    refused = client.get("/api/tasks/", headers=bearer(issued.secret))
    assert (refused.status_code, refused.json["code"]) == (401, "invalid_token")


def test_a_read_only_token_reads_but_may_not_change_anything(
    guarded: Flask, tokens: ApiTokens
) -> None:
    client, reader = guarded.test_client(), tokens.create("dashboard", read_only=True)
    assert client.get("/api/tasks/", headers=bearer(reader.secret)).status_code == 200
    assert client.get("/api/users/", headers=bearer(reader.secret)).status_code == 202  # a read
    for method in ("post", "put", "patch", "delete"):
        path = (
            "/api/users/"
            if method == "post"
            else f"/api/users/{'0' * 8}-0000-4000-8000-{'0' * 12}/"
        )
        answer = getattr(client, method)(path, json=user_fields(), headers=bearer(reader.secret))
        assert (answer.status_code, answer.json["code"]) == (403, "insufficient_scope"), method
        assert 'error="insufficient_scope"' in answer.headers["WWW-Authenticate"]


def test_the_openapi_document_docs_health_preflights_and_metrics_stay_open(
    guarded: Flask,
) -> None:
    client = guarded.test_client()
    for path in ("/api/openapi.json", "/api/docs", "/healthz", "/readyz", "/metrics"):
        assert client.get(path).status_code == 200, path
    preflight = client.options(
        "/api/users/",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "Authorization"},
    )  # fmt: skip
    assert preflight.status_code == 200
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_with_auth_off_no_token_is_asked_for(client: FlaskClient) -> None:
    assert client.post("/api/users/", json=user_fields()).status_code == 202
    assert client.get("/api/tasks/", headers=bearer("anything")).status_code == 200


def test_the_openapi_document_says_a_token_may_be_required_and_what_refusals_look_like(
    client: FlaskClient,
) -> None:
    assert client.get("/metrics").headers["Cache-Control"] == "no-store"
    document = client.get("/api/openapi.json").json
    assert document["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerToken": []}, {}]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            responses = operation["responses"]
            if path.startswith("/api/"):
                assert {"401", "403"} <= responses.keys(), (path, method)
            else:
                assert operation["security"] == [], (path, method)


def test_every_answer_forbids_sniffing_and_referrers_and_api_data_is_never_stored(
    client: FlaskClient,
) -> None:
    accepted = client.post("/api/users/", json=user_fields())
    answers = {
        "accepted": accepted,
        "status": client.get(accepted.json["status_endpoint"]),
        "not found": client.get("/api/tasks/00000000-0000-4000-8000-000000000000/"),
        "refused": client.post("/api/users/", json={"username": ""}),
    }
    for what, answer in answers.items():
        assert answer.headers["X-Content-Type-Options"] == "nosniff", what
        assert answer.headers["Referrer-Policy"] == "no-referrer", what
        assert answer.headers["Cache-Control"] == "no-store", what
    document = client.get("/api/openapi.json")
    assert document.headers["X-Content-Type-Options"] == "nosniff"
    assert "Cache-Control" not in document.headers


def test_the_token_is_asked_for_before_the_query_is_judged(
    guarded: Flask, tokens: ApiTokens
) -> None:
    client, reader = guarded.test_client(), tokens.create("dashboard", read_only=True)
    unknown = client.get("/api/users/?access_token=x")
    assert (unknown.status_code, unknown.json["code"]) == (401, "authentication_required")
    wrote = client.post("/api/users/?x=1", json=user_fields(), headers=bearer(reader.secret))
    assert (wrote.status_code, wrote.json["code"]) == (403, "insufficient_scope")
