"""HTTP against a real ``taskhub serve``, as a client would use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

from tests.e2e.server import Server, gunicorn_command
from tests.logs import events, lines_of


def new_user() -> dict[str, str]:
    name = f"user_{uuid4().hex[:10]}"
    return {"username": name, "email": f"{name}@example.com"}


def test_a_submission_that_waits_answers_with_the_finished_task(server: Server) -> None:
    reply = server.request("POST", "/api/users/", new_user(), {"Prefer": "wait=10"})
    assert reply.status == 200
    assert reply.headers["Preference-Applied"] == "wait=10"
    assert (reply.body["status"], reply.body["result"]["success"]) == ("DONE", True)
    assert reply.headers["Content-Location"] == f"/api/tasks/{reply.body['id']}/status/"


def test_an_unchanged_status_is_not_sent_again(server: Server) -> None:
    accepted = server.request("POST", "/api/users/", new_user())  # no wait: always 202
    assert accepted.status == 202
    status = server.request("GET", accepted.headers["Location"], headers={"Prefer": "wait=10"})
    assert status.body["status"] == "DONE"
    again = server.request("GET", accepted.headers["Location"], headers={
        "If-None-Match": status.headers["ETag"]
    })  # fmt: skip
    assert (again.status, again.body, again.headers["ETag"]) == (304, None, status.headers["ETag"])


def test_a_retried_submission_with_its_idempotency_key_gets_the_first_task(server: Server) -> None:
    user, key = new_user(), {"Idempotency-Key": uuid4().hex}
    first = server.request("POST", "/api/users/", user, key)
    again = server.request("POST", "/api/users/", user, key)
    other = server.request("POST", "/api/users/", new_user(), key)
    assert (first.status, again.status, other.status) == (202, 202, 422)
    assert again.body == first.body
    assert other.body["code"] == "idempotency_key_reused"


def test_refusals_are_problem_documents_and_create_no_task(server: Server) -> None:
    before = server.request("GET", "/api/tasks/?count=true").headers["X-Total-Count"]
    unknown = server.request("GET", "/api/nothing-here")
    invalid = server.request("POST", "/api/users/", {"username": "a b", "id": "x"})
    assert (unknown.status, invalid.status) == (404, 422)
    assert unknown.headers["Content-Type"] == invalid.headers["Content-Type"]
    assert unknown.headers["Content-Type"] == "application/problem+json"
    assert set(invalid.body["errors"]) == {"username", "email", "id"}
    after = server.request("GET", "/api/tasks/?count=true").headers["X-Total-Count"]
    assert after == before


def test_the_api_describes_itself_without_the_internet(server: Server) -> None:
    document = server.request("GET", "/api/openapi.json").body
    assert document["openapi"].startswith("3.")
    assert {"/api/users/", "/api/tasks/{task_id}/status/", "/readyz"} <= set(document["paths"])
    assert server.request("GET", "/readyz").body["status"] == "ready"


def test_serve_on_the_embedded_default_keeps_users_across_a_restart(tmp_path: Path) -> None:
    env = {"TASKHUB_DATABASE_URL": "", "TASKHUB_DATA_DIR": str(tmp_path / "data")}
    first = Server(env, tmp_path / "serve.log")
    user = new_user()
    created = first.request("POST", "/api/users/", user, {"Prefer": "wait=10"})
    assert first.stop() == 0
    second = Server(env, tmp_path / "serve.log")
    listed = second.request("GET", "/api/users/", headers={"Prefer": "wait=10"})
    assert second.stop() == 0
    assert created.body["status"] == "DONE"
    assert [u["username"] for u in listed.body["result"]["users"]] == [user["username"]]


def test_gunicorn_serves_the_app_factory_as_the_readme_says(tmp_path: Path) -> None:
    """On the embedded default: its workers are processes, which memory:// cannot share."""
    env = {"TASKHUB_DATA_DIR": str(tmp_path / "data")}
    server = Server(env, tmp_path / "gunicorn.log", gunicorn_command)
    created = server.request("POST", "/api/users/", new_user(), {"Prefer": "wait=10"})
    ready = server.request("GET", "/readyz")
    assert server.stop() == 0
    assert (created.status, created.body["status"]) == (200, "DONE")
    assert ready.status == 200


def test_a_refusal_of_the_rate_limit_is_our_line_alone_and_names_no_client(tmp_path: Path) -> None:
    env = {"TASKHUB_DATA_DIR": str(tmp_path / "data"), "TASKHUB_LOG_FORMAT": "json",
           "TASKHUB_RATE_LIMIT": "1/minute"}  # fmt: skip
    log = tmp_path / "serve.log"
    server = Server(env, log)
    statuses = [server.request("GET", "/api/tasks/").status for _ in range(2)]
    assert server.stop() == 0
    assert statuses == [200, 429]
    written = lines_of(log)
    assert events(written, "http.request", route="/api/tasks/", status=429)
    assert [line for line in written if "127.0.0.1" in json.dumps(line)] == []


def test_a_token_made_on_the_command_line_opens_the_api_gunicorn_guards(tmp_path: Path) -> None:
    """The README's gunicorn command with ``TASKHUB_AUTH=required``: it says so at start,
    refuses a call without a token, and takes one that ``taskhub tokens create`` printed."""
    env = {"TASKHUB_DATA_DIR": str(tmp_path / "data"), "TASKHUB_AUTH": "required"}
    log = tmp_path / "gunicorn.log"
    server = Server(env, log, gunicorn_command)
    made = subprocess.run([str(Path(sys.executable).parent / "taskhub"), "tokens", "create",
                           "--name", "e2e"], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=60, check=True)  # fmt: skip
    secret = made.stdout.strip()
    refused = server.request("POST", "/api/users/", new_user())
    accepted = server.request(
        "POST",
        "/api/users/",
        new_user(),
        {"Prefer": "wait=10", "Authorization": f"Bearer {secret}"},
    )
    assert server.stop() == 0
    assert (refused.status, refused.body["code"]) == (401, "authentication_required")
    assert (accepted.status, accepted.body["status"]) == (200, "DONE")
    assert "API auth required" in log.read_text()


def test_serve_says_at_start_that_the_embedded_default_keeps_auth_off(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    server = Server({"TASKHUB_DATA_DIR": str(tmp_path / "data")}, log)
    assert server.stop() == 0
    assert "taskhub API auth off: anyone who reaches this port may call /api/" in log.read_text()
