"""The API tokens page: list, make (the secret shown once, and nowhere else), revoke."""

from __future__ import annotations

import re
from uuid import UUID

from flask import Flask
from flask.testing import FlaskClient

from taskhub.bootstrap import shut_down
from taskhub.entrypoints.http import create_app
from tests.console.conftest import ADMIN, csrf_token, sign_in
from tests.http.apps import memory_settings

SECRET = re.compile(r"<code class=\"secret\" data-secret>(thk_[\w-]+)</code>")


def make(admin: FlaskClient, name: str, read_only: bool = False) -> str:
    """Make a token through the form; its secret, as the page shows it."""
    form = {"name": name, "csrf_token": csrf_token(admin, "/admin/tokens/")}
    answer = admin.post(
        "/admin/tokens/", data={**form, **({"read_only": "y"} if read_only else {})}
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    found = SECRET.search(answer.text)
    assert found, answer.text
    return found.group(1)


def test_a_token_is_made_its_secret_shown_once_and_listed_without_it(
    app: Flask, admin: FlaskClient
) -> None:
    secret = make(admin, "ci-deploy", read_only=True)
    listed = admin.get("/admin/tokens/").text
    assert "ci-deploy" in listed
    assert secret not in listed
    assert f"<code>{secret[:10]}…</code>" in listed
    assert "<td>read</td>" in listed
    assert ">active<" in listed
    with admin.session_transaction("/admin/") as session:
        assert secret not in repr(dict(session))  # nor in the cookie
    token = app.extensions["taskhub"].container.api_tokens().authenticate(secret)
    assert (token.name, token.read_only) == ("ci-deploy", True)


def test_a_name_that_says_nothing_is_refused_beside_the_field(admin: FlaskClient) -> None:
    form = {"name": "   ", "csrf_token": csrf_token(admin, "/admin/tokens/")}
    answer = admin.post("/admin/tokens/", data=form)
    assert answer.status_code == 422
    assert re.search(r'data-field-error="name">Must say what the token is for', answer.text)
    assert "None yet." in answer.text


def test_a_revoked_token_is_refused_by_the_api_from_the_next_request() -> None:
    app = create_app(memory_settings(auth="required", **ADMIN))
    try:
        admin = app.test_client()
        assert sign_in(admin) == "/admin/"
        secret = make(admin, "dashboard")
        bearer = {"Authorization": f"Bearer {secret}"}
        assert admin.get("/api/tasks/", headers=bearer).status_code == 200
        listed = admin.get("/admin/tokens/").text
        token_id = re.search(r'data-token="([0-9a-f-]{36})"', listed)
        assert token_id
        form = {"csrf_token": csrf_token(admin, "/admin/tokens/")}
        revoked = admin.post(f"/admin/tokens/{token_id.group(1)}/revoke", data=form)
        assert (revoked.status_code, revoked.headers["Location"]) == (303, "/admin/tokens/")
        page = admin.get("/admin/tokens/").text
        assert "Revoked dashboard" in page
        assert ">revoked<" in page
        assert 'aria-label="Revoke dashboard"' not in page
        assert admin.get("/api/tasks/", headers=bearer).status_code == 401
        missing = admin.post(f"/admin/tokens/{UUID(int=3)}/revoke", data=form)
        assert missing.status_code == 404
    finally:
        shut_down(app.extensions["taskhub"].container)
